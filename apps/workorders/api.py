"""``/api/workorders/``: the same services, rules and messages as the pages; conflicts answer 409."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.response import Response

from apps.accounts.models import Department, User

from . import rules, selectors, services
from .errors import PlanStepFailed, WorkOrderConflict
from .filters import OrderFilter
from .models import OrderEvent, PlanStep, WorkOrder


class PlanStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = ["position", "action", "terminal_a", "terminal_b", "note"]


class OrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()

    class Meta:
        model = OrderEvent
        fields = ["at", "actor", "from_status", "to_status", "comment"]


class WorkOrderSerializer(serializers.ModelSerializer):
    requester = serializers.StringRelatedField()
    assignee = serializers.StringRelatedField()
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "kind",
            "status",
            "requester",
            "department",
            "person",
            "contact_phone",
            "building",
            "floor",
            "room",
            "outlet",
            "extension",
            "assign_extension",
            "new_extension",
            "wanted_date",
            "notes",
            "function_change_request",
            "assignee",
            "planned_port",
            "planned_extension",
            "planned_outlet",
            "return_reason",
            "created_at",
            "submitted_at",
            "completed_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "requester",
            "assignee",
            "planned_port",
            "planned_extension",
            "planned_outlet",
            "return_reason",
            "created_at",
            "submitted_at",
            "completed_at",
        ]
        # The services validate (one set of rules and messages for the UI and the API).
        validators = []


class WorkOrderDetailSerializer(WorkOrderSerializer):
    steps = PlanStepSerializer(many=True, read_only=True)
    history = OrderEventSerializer(many=True, read_only=True, source="events")

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "steps", "history"]


class CreateSerializer(WorkOrderSerializer):
    submit = serializers.BooleanField(required=False, default=False, write_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "submit"]


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanInputSerializer(serializers.Serializer):
    steps = PlanStepSerializer(many=True)
    port = serializers.CharField(required=False, allow_blank=True, default="")
    extension = serializers.CharField(required=False, allow_blank=True, default="")
    outlet = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


def _answer(run):
    """Run a service; turn its refusals into 400 / 403 / 409 with the service's sentence."""
    try:
        order = run()
    except PlanStepFailed as exc:
        return Response(
            {"detail": str(exc.message), "step": exc.position, "applied": False},
            status=status.HTTP_409_CONFLICT,
        )
    except WorkOrderConflict as exc:
        return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    except DjangoValidationError as exc:
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    except PermissionDenied:
        raise DrfPermissionDenied from None
    order.refresh_from_db()
    return Response(WorkOrderDetailSerializer(order).data)


class WorkOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Work orders the caller may see; ``?scope=mine|waiting|assigned|overdue|all`` and the list filters."""

    serializer_class = WorkOrderSerializer
    filterset_class = OrderFilter

    queryset = WorkOrder.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WorkOrder.objects.none()
        scope = self.request.query_params.get("scope", "all") if self.action == "list" else "all"
        if scope not in selectors.SCOPES:
            scope = "all"
        qs = selectors.order_list(user=self.request.user, scope=scope)
        if self.action == "retrieve":
            qs = qs.prefetch_related("steps", "events__actor")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return WorkOrderDetailSerializer
        if self.action == "create":
            return CreateSerializer
        return WorkOrderSerializer

    def _order(self, pk):
        order = selectors.order_get(user=self.request.user, pk=pk)
        if order is None:
            raise Http404
        return order

    def create(self, request, *args, **kwargs):
        if not rules.can_create(request.user):
            raise DrfPermissionDenied
        serializer = CreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        submit = data.pop("submit", False)
        response = _answer(lambda: services.order_create(actor=request.user, submit=submit, **data))
        if response.status_code == 200:
            response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=CommentSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = self._valid(CommentSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_submit(actor=request.user, order=order, **data))

    @extend_schema(request=AssignSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self._valid(AssignSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_assign(actor=request.user, order=order, **data))

    @extend_schema(request=ReasonSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = self._valid(ReasonSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_return(actor=request.user, order=order, **data))

    @extend_schema(request=PlanInputSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        data = self._valid(PlanInputSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_plan(actor=request.user, order=order, **data))

    @extend_schema(request=CommentSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        data = self._valid(CommentSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_start(actor=request.user, order=order, **data))

    @extend_schema(request=CommentSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        data = self._valid(CommentSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_complete(actor=request.user, order=order, **data))

    @extend_schema(request=ReasonSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = self._valid(ReasonSerializer)
        order = self._order(pk)
        return _answer(lambda: services.order_cancel(actor=request.user, order=order, **data))

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)
