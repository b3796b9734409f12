"""REST API of the front-desk phone: thin views over the same services as the pages."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Call, Callback, Line, UseRequest


@contextmanager
def service_errors():
    """Turn a service's ValidationError into a 400 with the same messages."""
    try:
        yield
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise serializers.ValidationError(detail) from exc


class ModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, reading included (view_<model>)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Line
        fields = [
            "id",
            "number",
            "name",
            "place",
            "purpose",
            "greeting",
            "allowed_roles",
            "work_start",
            "work_end",
            "callback_minutes",
            "is_active",
        ]
        # Uniqueness is checked by the service (and the database), with a message naming the field.
        extra_kwargs = {"number": {"validators": []}}


class LineViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LineSerializer
    permission_classes = [ModelPermissions]
    queryset = Line.objects.order_by("number")

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.line_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        with service_errors():
            serializer.instance = services.line_update(
                actor=self.request.user, line=serializer.instance, **serializer.validated_data
            )


class CallbackBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Callback
        fields = ["id", "due_at", "done_at"]


class CallSerializer(serializers.ModelSerializer):
    line = serializers.PrimaryKeyRelatedField(queryset=Line.objects.all())
    answered_by = serializers.StringRelatedField()
    callback = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "line",
            "answered_by",
            "answered_at",
            "rings",
            "caller_name",
            "caller_number",
            "kind",
            "request",
            "confirmed",
            "outcome",
            "answerer_allowed",
            "in_working_hours",
            "callback",
        ]
        read_only_fields = ["answered_at", "answerer_allowed", "in_working_hours"]

    @extend_schema(responses=CallbackBriefSerializer)
    def get_callback(self, obj) -> dict | None:
        try:
            callback = obj.callback
        except Callback.DoesNotExist:
            return None
        return CallbackBriefSerializer(callback).data


class CallViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The call log; filters: line, answered_by (user id), from, to (dates), kind, outcome."""

    serializer_class = CallSerializer
    permission_classes = [ModelPermissions]
    queryset = Call.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        line = params.get("line", "")
        person = params.get("answered_by", "")
        return selectors.call_list(
            line=int(line) if line.isdigit() else None,
            answered_by=int(person) if person.isdigit() else None,
            day_from=selectors.parse_day(params.get("from")),
            day_to=selectors.parse_day(params.get("to")),
            kind=params.get("kind", ""),
            outcome=params.get("outcome", ""),
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.call_log(
                actor=self.request.user,
                line=data["line"],
                rings=data["rings"],
                kind=data["kind"],
                request=data["request"],
                outcome=data["outcome"],
                caller_name=data.get("caller_name", ""),
                caller_number=data.get("caller_number", ""),
                confirmed=data.get("confirmed", False),
            )


class CallbackSerializer(serializers.ModelSerializer):
    call = serializers.PrimaryKeyRelatedField(read_only=True)
    line = serializers.CharField(source="call.line.number", read_only=True)
    caller_name = serializers.CharField(source="call.caller_name", read_only=True)
    caller_number = serializers.CharField(source="call.caller_number", read_only=True)
    request = serializers.CharField(source="call.request", read_only=True)
    done_by = serializers.StringRelatedField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Callback
        fields = [
            "id",
            "call",
            "line",
            "caller_name",
            "caller_number",
            "request",
            "due_at",
            "done_at",
            "done_by",
            "note",
            "overdue",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class CallbackDoneSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CallbackPermissions(ModelPermissions):
    # Marking a callback done (POST on the action) changes it.
    perms_map = {**ModelPermissions.perms_map, "POST": ["%(app_label)s.change_%(model_name)s"]}


class CallbackViewSet(viewsets.ReadOnlyModelViewSet):
    """Promised callbacks; ``state`` = open (default), due, overdue, done or all."""

    serializer_class = CallbackSerializer
    permission_classes = [CallbackPermissions]
    queryset = Callback.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        if self.action != "list":
            return selectors.callback_list(state=selectors.CallbackState.ALL)
        return selectors.callback_list(state=self.request.query_params.get("state") or "open")

    @extend_schema(request=CallbackDoneSerializer, responses=CallbackSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the callback as made."""
        callback = self.get_object()
        body = CallbackDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            callback = services.callback_complete(
                actor=request.user, callback=callback, note=body.validated_data.get("note", "")
            )
        return Response(CallbackSerializer(callback).data)


class UseRequestSerializer(serializers.ModelSerializer):
    requester = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    line = serializers.PrimaryKeyRelatedField(queryset=Line.objects.all(), allow_null=True, required=False)

    class Meta:
        model = UseRequest
        fields = [
            "id",
            "requester",
            "line",
            "reason",
            "wanted_at",
            "minutes",
            "status",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = ["status", "decided_at", "decision_comment"]


class UseDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=200)


class UseRequestPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and (
            user.has_perm("frontdesk.add_userequest") or user.has_perm("frontdesk.view_userequest")
        )


class UseRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Personal-use requests: one's own, or all of them for those who may see all."""

    serializer_class = UseRequestSerializer
    permission_classes = [UseRequestPermission]
    queryset = UseRequest.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        return selectors.use_request_list(
            user=self.request.user, status=self.request.query_params.get("status", "")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        with service_errors():
            serializer.instance = services.use_request_submit(
                actor=self.request.user,
                line=data.get("line"),
                reason=data.get("reason", ""),
                wanted_at=data.get("wanted_at"),
                minutes=data.get("minutes", 5),
            )

    @extend_schema(request=UseDecisionSerializer, responses=UseRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Approve or refuse (floor manager only)."""
        use_request = self.get_object()
        body = UseDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            use_request = services.use_request_decide(
                actor=request.user,
                use_request=use_request,
                approve=body.validated_data["approve"],
                comment=body.validated_data.get("comment", ""),
            )
        return Response(UseRequestSerializer(use_request).data, status=status.HTTP_200_OK)
