"""REST API: function-change requests with their transitions, and adjustment records."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from . import selectors, services
from .models import AdjustmentRecord, FunctionChange, FunctionChangeEvent


def _call(service, **kwargs):
    """Run a service, turning its refusals into API errors with the same sentence."""
    try:
        return service(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from exc
        raise exceptions.ValidationError({"detail": exc.messages}) from exc


class HasPerm(BasePermission):
    """Require the view's ``required_perms`` (any of them) for reads, per action for writes."""

    def has_permission(self, request, view):
        perms = view.required_perms.get(view.action, view.required_perms.get("default", ()))
        return any(request.user.has_perm(p) for p in perms)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    version = serializers.IntegerField(source="revision.number", default=None)
    from_status = serializers.CharField()
    to_status = serializers.CharField()

    class Meta:
        model = FunctionChangeEvent
        fields = ["action", "from_status", "to_status", "actor", "at", "comment", "version"]


class FunctionChangeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    requester = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()
    implemented_by = serializers.StringRelatedField()
    verified_by = serializers.StringRelatedField()
    decided_version = serializers.IntegerField(source="decided_revision.number", default=None, read_only=True)
    approved_content = serializers.SerializerMethodField()

    class Meta:
        model = FunctionChange
        fields = [
            "id",
            "code",
            *FunctionChange.CONTENT_FIELDS,
            "status",
            "requester",
            "revision",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "decided_version",
            "approved_content",
            "implemented_by",
            "implemented_at",
            "implementation_notes",
            "verified_by",
            "verified_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in FunctionChange.CONTENT_FIELDS]

    def get_approved_content(self, obj) -> dict | None:
        return obj.decided_revision.data if obj.decided_revision_id else None

    def validate(self, attrs):
        # The model's own checks run in the service, with the request's full content.
        return attrs


class FunctionChangeDetailSerializer(FunctionChangeSerializer):
    history = EventSerializer(source="events", many=True, read_only=True)

    class Meta(FunctionChangeSerializer.Meta):
        fields = [*FunctionChangeSerializer.Meta.fields, "history"]


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(CommentSerializer):
    revision = serializers.IntegerField(required=False, help_text="The version the approver read.")


class ImplementSerializer(serializers.Serializer):
    implemented_at = serializers.DateTimeField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class FunctionChangeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Function-change requests. Creating one saves a draft; ``submit=true`` in the query submits it."""

    permission_classes = [HasPerm]
    required_perms = {
        "default": ("approvals.view_functionchange", "approvals.add_functionchange"),
        "create": ("approvals.add_functionchange",),
        "approve": ("approvals.approve_functionchange",),
        "reject": ("approvals.approve_functionchange",),
        "implement": ("approvals.implement_functionchange",),
    }
    filterset_fields = ["status", "kind", "target_scope"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        qs = selectors.function_change_visible(user=self.request.user).select_related(
            "implemented_by", "verified_by", "decided_revision"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor", "events__revision")
        return qs.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FunctionChangeDetailSerializer
        return {
            "submit": CommentSerializer,
            "withdraw": CommentSerializer,
            "verify": CommentSerializer,
            "approve": DecisionSerializer,
            "reject": DecisionSerializer,
            "implement": ImplementSerializer,
        }.get(self.action, FunctionChangeSerializer)

    def perform_create(self, serializer):
        submit = self.request.query_params.get("submit") in ("1", "true", "yes")
        serializer.instance = _call(
            services.function_change_create,
            actor=self.request.user,
            submit=submit,
            **serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = _call(
            services.function_change_update,
            actor=self.request.user,
            change=serializer.instance,
            **serializer.validated_data,
        )

    def _transition(self, request, service, **extra):
        change = self.get_object()
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change = _call(service, actor=request.user, change=change, **payload.validated_data, **extra)
        return Response(FunctionChangeSerializer(selectors.function_change_get(request_id=change.pk)).data)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.function_change_submit)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, services.function_change_approve)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._transition(request, services.function_change_reject)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._transition(request, services.function_change_withdraw)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def implement(self, request, pk=None):
        return self._transition(request, services.function_change_implement)

    @extend_schema(responses=FunctionChangeSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._transition(request, services.function_change_verify)


class AdjustmentRecordSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    performed_by = serializers.StringRelatedField()
    request_code = serializers.CharField(source="request.code", default=None, read_only=True)

    class Meta:
        model = AdjustmentRecord
        fields = [
            "id",
            "code",
            "source",
            "request",
            "request_code",
            "kind",
            "what",
            "target_scope",
            "target_extensions",
            "target_pbx",
            "before_value",
            "after_value",
            "reason",
            "notes",
            "performed_by",
            "performed_at",
            "created_at",
        ]
        read_only_fields = ["source", "request", "performed_by", "created_at"]

    def validate(self, attrs):
        return attrs


class AdjustmentRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Adjustment records (调整记录); POST logs a routine adjustment by hand."""

    serializer_class = AdjustmentRecordSerializer
    permission_classes = [HasPerm]
    required_perms = {
        "default": ("approvals.view_adjustmentrecord",),
        "create": ("approvals.add_adjustmentrecord",),
    }
    filterset_fields = ["kind", "source", "target_scope"]

    def get_queryset(self):
        return selectors.adjustment_record_list()

    def perform_create(self, serializer):
        serializer.instance = _call(
            services.adjustment_record_create, actor=self.request.user, **serializer.validated_data
        )
