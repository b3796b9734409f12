"""REST API of the faults app: report, read, actions and transitions; inspections; the access log."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User

from . import selectors, services
from .models import (
    AccessEntry,
    Cause,
    ChecklistTemplate,
    Fault,
    FaultAction,
    FaultEvent,
    InspectionResult,
    InspectionRound,
)


def _raise(exc: DjangoValidationError):
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def has_perm(codename):
    class HasPerm(BasePermission):
        def has_permission(self, request, view):
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return request.user.has_perm(codename.replace("add_", "view_").replace("change_", "view_"))
            return request.user.has_perm(codename)

    return HasPerm


class FaultActionSerializer(serializers.ModelSerializer):
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = FaultAction
        fields = ["id", "performed_at", "performed_by", "description", "jumpers_changed", "patch_reference"]
        read_only_fields = ["id", "performed_by"]
        extra_kwargs = {"performed_at": {"required": False}}


class FaultEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = FaultEvent
        fields = ["kind", "at", "actor", "text"]


class FaultSerializer(serializers.ModelSerializer):
    reporter = serializers.StringRelatedField()
    assignee = serializers.StringRelatedField()

    class Meta:
        model = Fault
        fields = [
            "number",
            "item_kind",
            "item",
            "symptom",
            "severity",
            "channel",
            "contact",
            "reporter",
            "reported_at",
            "status",
            "acknowledged_at",
            "assignee",
            "hold_reason",
            "restored_at",
            "closed_at",
            "cause",
            "resolution",
            "reopen_count",
            "inspection_round",
        ]
        read_only_fields = [
            f for f in fields if f not in ("item_kind", "item", "symptom", "severity", "channel", "contact")
        ]


class FaultDetailSerializer(FaultSerializer):
    actions = FaultActionSerializer(many=True, read_only=True)
    events = FaultEventSerializer(many=True, read_only=True)

    class Meta(FaultSerializer.Meta):
        fields = [*FaultSerializer.Meta.fields, "actions", "events"]


class FaultListCreate(generics.ListCreateAPIView):
    """Faults the caller may see (engineers: all; others: their own). POST reports a new fault."""

    serializer_class = FaultSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Fault.objects.none()
        params = self.request.query_params
        return selectors.fault_list(
            user=self.request.user,
            status=params.get("status", ""),
            severity=params.get("severity", ""),
            q=params.get("q", ""),
        ).order_by("-reported_at", "-pk")

    def perform_create(self, serializer):
        try:
            serializer.instance = services.fault_report(actor=self.request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise(exc)


class FaultDetail(generics.RetrieveAPIView):
    serializer_class = FaultDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return selectors.fault_get(user=self.request.user, number=self.kwargs["number"])


class FaultActions(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=FaultActionSerializer(many=True))
    def get(self, request, number):
        fault = selectors.fault_get(user=request.user, number=number)
        return Response(FaultActionSerializer(fault.actions.select_related("performed_by"), many=True).data)

    @extend_schema(request=FaultActionSerializer, responses=FaultActionSerializer)
    def post(self, request, number):
        if not selectors.fault_may_work(request.user):
            raise PermissionDenied
        fault = selectors.fault_get(user=request.user, number=number)
        serializer = FaultActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            action = services.fault_action_add(fault=fault, actor=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(FaultActionSerializer(action).data, status=status.HTTP_201_CREATED)


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    cause = serializers.ChoiceField(choices=Cause.choices, required=False)
    resolution = serializers.CharField(required=False, allow_blank=True)


TRANSITIONS = {
    "acknowledge": (services.fault_acknowledge, ()),
    "take": (services.fault_take, ()),
    "resume": (services.fault_resume, ()),
    "hold": (services.fault_hold, ("reason",)),
    "restore": (services.fault_restore, ("note",)),
    "close": (services.fault_close, ("cause", "resolution")),
    "reopen": (services.fault_reopen, ("reason",)),
}


class FaultTransition(APIView):
    """POST acknowledge, take, resume, hold (reason), restore (note), close (cause, resolution), reopen (reason)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=TransitionSerializer, responses=FaultSerializer, operation_id="faults_transition")
    def post(self, request, number, transition):
        if transition not in TRANSITIONS:
            return Response({"detail": "unknown transition"}, status=status.HTTP_404_NOT_FOUND)
        if not selectors.fault_may_work(request.user):
            raise PermissionDenied
        fault = selectors.fault_get(user=request.user, number=number)
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service, names = TRANSITIONS[transition]
        kwargs = {name: serializer.validated_data.get(name, "") for name in names}
        try:
            fault = service(fault=fault, actor=request.user, **kwargs)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(FaultSerializer(fault).data)


# Inspections --------------------------------------------------------------------------------


class InspectionResultSerializer(serializers.ModelSerializer):
    item = serializers.StringRelatedField()
    fault = serializers.SerializerMethodField()

    class Meta:
        model = InspectionResult
        fields = ["item", "passed", "value", "text", "abnormal", "fault"]

    def get_fault(self, obj) -> str | None:
        fault = getattr(obj, "fault", None)
        return fault.number if fault else None


class InspectionRoundSerializer(serializers.ModelSerializer):
    inspector = serializers.StringRelatedField()
    results = InspectionResultSerializer(many=True, read_only=True)
    template = serializers.PrimaryKeyRelatedField(queryset=ChecklistTemplate.objects.filter(active=True))
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        write_only=True,
        help_text="item id -> pass / fail, a number, or text",
    )

    class Meta:
        model = InspectionRound
        fields = [
            "id",
            "template",
            "slot",
            "inspector",
            "performed_at",
            "notes",
            "abnormal_count",
            "results",
            "answers",
        ]
        read_only_fields = ["id", "slot", "inspector", "performed_at", "abnormal_count", "results"]


class InspectionListCreate(generics.ListCreateAPIView):
    serializer_class = InspectionRoundSerializer
    permission_classes = [has_perm("faults.add_inspectionround")]

    def get_queryset(self):
        return selectors.inspection_round_list().prefetch_related("results__item", "results__fault")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.inspection_round_record(
                template=data["template"],
                actor=self.request.user,
                answers={str(k): v for k, v in data["answers"].items()},
                notes=data.get("notes", ""),
            )
        except DjangoValidationError as exc:
            _raise(exc)


class InspectionDetail(generics.RetrieveAPIView):
    serializer_class = InspectionRoundSerializer
    permission_classes = [has_perm("faults.view_inspectionround")]

    def get_queryset(self):
        return InspectionRound.objects.select_related("template", "inspector")


# Access log ---------------------------------------------------------------------------------


class AccessEntrySerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    escort = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = AccessEntry
        fields = [
            "id",
            "person",
            "person_name",
            "organisation",
            "purpose",
            "room_staff",
            "escort",
            "entered_at",
            "left_at",
        ]
        read_only_fields = ["id", "room_staff", "left_at"]
        validators = []  # the service checks the rules and explains them
        extra_kwargs = {"person_name": {"required": False}, "entered_at": {"required": False}}


class AccessLogListCreate(generics.ListCreateAPIView):
    """The access log; ``?in_room=1`` lists who is in the room now."""

    serializer_class = AccessEntrySerializer
    permission_classes = [has_perm("faults.add_accessentry")]

    def get_queryset(self):
        if self.request.query_params.get("in_room") == "1":
            return selectors.access_in_room_now()
        return selectors.access_entry_list(q=self.request.query_params.get("q", ""))

    def perform_create(self, serializer):
        try:
            serializer.instance = services.access_entry_record(
                actor=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            _raise(exc)


class AccessSignOut(APIView):
    permission_classes = [has_perm("faults.change_accessentry")]

    @extend_schema(request=None, responses=AccessEntrySerializer)
    def post(self, request, pk):
        entry = get_object_or_404(AccessEntry, pk=pk)
        try:
            entry = services.access_entry_sign_out(entry=entry, actor=request.user)
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(AccessEntrySerializer(entry).data)
