"""The patch table's REST API under /api/patching/. Conflicts are HTTP 409 with the sentence; bad input 400."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Department, User

from . import selectors, services
from .models import Block, Cable, CablePair, Extension, Frame, Jumper, Outlet, PatchEvent, PbxPort, Terminal
from .services import PatchConflict


def _error_response(exc: DjangoValidationError) -> Response:
    if isinstance(exc, PatchConflict):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if hasattr(exc, "error_dict"):
        return Response(
            {
                k: [str(m) for m in v.messages] if hasattr(v, "messages") else v
                for k, v in exc.message_dict.items()
            },
            status=400,
        )
    return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)


class ModelPerms(BasePermission):
    """Read needs the model's view permission; writes need add / change / delete."""

    def has_permission(self, request, view):
        model = view.perm_model
        label = f"{model._meta.app_label}.%s_{model._meta.model_name}"
        verb = {
            "GET": "view",
            "HEAD": "view",
            "OPTIONS": "view",
            "POST": "add",
            "PUT": "change",
            "PATCH": "change",
            "DELETE": "delete",
        }[request.method]
        return request.user.has_perm(label % verb)


class BaseViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ModelPerms]

    @property
    def perm_model(self):
        return self.queryset.model


# --- serializers -------------------------------------------------------------------------------


class FrameSerializer(serializers.ModelSerializer):
    building = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Frame
        fields = ["id", "code", "kind", "building"]


class BlockSerializer(serializers.ModelSerializer):
    frame = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Block
        fields = ["id", "frame", "code", "side", "size"]


class TerminalSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Terminal
        fields = ["id", "designation", "side", "status", "faulty", "reserved_reference"]

    def get_status(self, obj) -> str:
        if obj.faulty:
            return "faulty"
        if obj.reserved_reference:
            return "reserved"
        return "in_use" if getattr(obj, "jumpered", False) else "free"


class PbxPortSerializer(serializers.ModelSerializer):
    terminal = serializers.SlugRelatedField(slug_field="designation", read_only=True)
    extension = serializers.SerializerMethodField()

    class Meta:
        model = PbxPort
        fields = ["id", "designation", "terminal", "extension"]

    def get_extension(self, obj) -> str | None:
        ext = getattr(obj, "extension", None)
        return ext.number if ext else None


class CablePairSerializer(serializers.ModelSerializer):
    near_terminal = serializers.SlugRelatedField(slug_field="designation", read_only=True)
    far_terminal = serializers.SlugRelatedField(slug_field="designation", read_only=True)
    outlet = serializers.SlugRelatedField(slug_field="designation", read_only=True)

    class Meta:
        model = CablePair
        fields = ["id", "designation", "number", "near_terminal", "far_terminal", "outlet", "faulty"]


class CableSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cable
        fields = ["id", "code", "kind", "pair_count"]


class OutletSerializer(serializers.ModelSerializer):
    room = serializers.StringRelatedField()

    class Meta:
        model = Outlet
        fields = ["id", "designation", "room", "number"]


class ExtensionSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    department_name = serializers.CharField(source="department.name", read_only=True, default="")
    port = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    outlet = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)
    reference = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Extension
        fields = [
            "id",
            "number",
            "user_name",
            "department",
            "department_name",
            "class_of_service",
            "port",
            "outlet",
            "notes",
            "reason",
            "reference",
        ]
        extra_kwargs = {"number": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["port"] = instance.port.designation if instance.port_id else None
        data["outlet"] = instance.outlet.designation if instance.outlet_id else None
        return data


class JumperSerializer(serializers.ModelSerializer):
    terminal_a = serializers.CharField(help_text="designation (MDF-1/H03/17) or id")
    terminal_b = serializers.CharField(help_text="designation (MDF-1/V05/02) or id")
    reason = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    frame = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.StringRelatedField()

    class Meta:
        model = Jumper
        fields = [
            "id",
            "frame",
            "terminal_a",
            "terminal_b",
            "created_at",
            "created_by",
            "reason",
            "reference",
        ]
        read_only_fields = ["created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["terminal_a"] = instance.terminal_a.designation
        data["terminal_b"] = instance.terminal_b.designation
        return data


class PatchEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = PatchEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_label",
            "a_designation",
            "b_designation",
            "extension_number",
            "reason",
            "reference",
        ]


# --- views ---------------------------------------------------------------------------------


class MayChangeTerminals(BasePermission):
    """Reserving, releasing and marking terminals (and renaming) needs the patch table's change permission."""

    def has_permission(self, request, view):
        return request.user.has_perm("patching.change_terminal")


class RenameSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30, help_text="the new code")
    reason = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)


class RenameMixin:
    """``POST <id>/rename/`` ``{"code": "MDF-2", "reason": "…"}``: every designation under it follows.

    400 naming the field for a malformed code, 409 when the code is taken.
    """

    rename_service = None

    @extend_schema(request=RenameSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, MayChangeTerminals])
    def rename(self, request, pk=None):
        obj = self.get_object()
        ser = RenameSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            obj = type(self).rename_service(
                obj,
                data["code"],
                actor=request.user,
                reason=data["reason"],
                reference=data.get("reference", ""),
            )
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)


class FrameViewSet(RenameMixin, BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Frame.objects.select_related("building").order_by("code")
    serializer_class = FrameSerializer
    rename_service = services.frame_rename


class BlockViewSet(RenameMixin, BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Block.objects.select_related("frame").order_by("frame__code", "code")
    serializer_class = BlockSerializer
    filterset_fields = ["side"]
    rename_service = services.block_rename


@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]})
class TerminalsField(serializers.Field):
    """Terminals as a list, or as text: designations, ids and ranges (``MDF-1/H03/1-10``), comma-separated."""

    default_error_messages = {"invalid": gettext_lazy("Give a list of terminals or a text naming them.")}

    def to_internal_value(self, data):
        if isinstance(data, (str, int)):
            return [data]
        if isinstance(data, list) and data and all(isinstance(v, (str, int)) for v in data):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ReserveSerializer(serializers.Serializer):
    terminals = TerminalsField(help_text='designations, ids or ranges: ["MDF-1/H03/1-10", "MDF-1/H03/15"]')
    reference = serializers.CharField(max_length=60, help_text="the work order or note they are kept for")


class ReleaseSerializer(serializers.Serializer):
    terminals = TerminalsField(help_text="designations, ids or ranges")
    reference = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="release only terminals reserved for this reference",
    )


class TerminalViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Terminals; ``?q=`` searches designations, ``?free=1`` keeps the free ones, ``?reserved=1`` the reserved.

    ``POST reserve/`` ``{"terminals": [...], "reference": "WO-7"}`` reserves free terminals and
    ``POST release/`` ``{"terminals": [...]}`` releases reserved ones: all or nothing, 409 naming
    each terminal that is not free (not reserved).
    """

    queryset = Terminal.objects.all()
    serializer_class = TerminalSerializer

    def get_queryset(self):
        from django.db.models import Exists, OuterRef

        from .models import JumperEnd

        qs = Terminal.objects.annotate(jumpered=Exists(JumperEnd.objects.filter(terminal=OuterRef("pk"))))
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(designation__icontains=q.strip().upper())
        if self.request.query_params.get("frame"):
            qs = qs.filter(frame__code=self.request.query_params["frame"].upper())
        if self.request.query_params.get("free") == "1":
            qs = qs.filter(jumpered=False, faulty=False, reserved_reference="")
        if self.request.query_params.get("reserved") == "1":
            qs = qs.exclude(reserved_reference="")
        return qs.order_by("jumpered", "designation")

    def _reservation(self, request, serializer_class, service):
        ser = serializer_class(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            done = service(
                terminals=data["terminals"],
                reference=data.get("reference", ""),
                actor=request.user,
                strict=True,
            )
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response({"terminals": TerminalSerializer(done, many=True).data})

    @extend_schema(request=ReserveSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated, MayChangeTerminals])
    def reserve(self, request):
        return self._reservation(request, ReserveSerializer, services.terminal_reserve)

    @extend_schema(request=ReleaseSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated, MayChangeTerminals])
    def release(self, request):
        return self._reservation(request, ReleaseSerializer, services.terminal_release)


class PbxPortViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = PbxPort.objects.select_related("terminal", "extension").order_by("designation")
    serializer_class = PbxPortSerializer


class CableViewSet(RenameMixin, BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Cable.objects.order_by("code")
    serializer_class = CableSerializer
    rename_service = services.cable_rename

    @action(detail=True)
    def pairs(self, request, pk=None):
        cable = self.get_object()
        qs = cable.pairs.select_related("near_terminal", "far_terminal", "outlet").order_by("number")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CablePairSerializer(page, many=True).data)


class OutletViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Outlet.objects.select_related("room__building").order_by("designation")
    serializer_class = OutletSerializer


class ExtensionViewSet(
    BaseViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Extensions by number; create, change and remove go through the patch table's services."""

    queryset = Extension.objects.select_related("department", "port", "outlet").order_by("number")
    serializer_class = ExtensionSerializer
    lookup_field = "number"

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        try:
            ext = services.extension_assign(actor=request.user, **data)
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response(self.get_serializer(ext).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, number=None):
        ext = self.get_object()
        ser = self.get_serializer(ext, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("number", None)
        reason, reference = data.pop("reason", ""), data.pop("reference", "")
        try:
            ext = services.extension_update(
                extension=ext, actor=request.user, reason=reason, reference=reference, **data
            )
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response(self.get_serializer(ext).data)

    def destroy(self, request, number=None):
        ext = self.get_object()
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        reason = reason or request.query_params.get("reason", "")
        services.extension_remove(
            extension=ext,
            actor=request.user,
            reason=reason,
            reference=request.query_params.get("reference", ""),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: dict})
    @action(detail=True)
    def trace(self, request, number=None):
        ext = self.get_object()
        return Response(selectors.extension_trace(extension=ext).as_dict())


class JumperViewSet(
    BaseViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
):
    """Jumpers. POST connects (designations or ids); DELETE disconnects and needs a ``reason``."""

    queryset = Jumper.objects.select_related("terminal_a", "terminal_b", "frame", "created_by").order_by("pk")
    serializer_class = JumperSerializer

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            jumper = services.jumper_connect(
                terminal_a=data["terminal_a"],
                terminal_b=data["terminal_b"],
                actor=request.user,
                reason=data["reason"],
                reference=data.get("reference", ""),
            )
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response(self.get_serializer(jumper).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("reason", str, required=True), OpenApiParameter("reference", str)]
    )
    def destroy(self, request, pk=None):
        reason = (
            request.data.get("reason") if hasattr(request.data, "get") else None
        ) or request.query_params.get("reason", "")
        reference = (
            request.data.get("reference") if hasattr(request.data, "get") else None
        ) or request.query_params.get("reference", "")
        jumper = get_object_or_404(Jumper, pk=pk)
        try:
            services.jumper_disconnect(jumper=jumper, actor=request.user, reason=reason, reference=reference)
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HistoryViewSet(BaseViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Read-only history: ``?since=&until=`` (YYYY-MM-DD HH:MM), ``?q=`` designation, ``?user=``, ``?reference=``, ``?action=``."""

    queryset = PatchEvent.objects.all()
    serializer_class = PatchEventSerializer

    def get_queryset(self):
        p = self.request.query_params
        kwargs = {}
        try:
            if p.get("since"):
                kwargs["since"] = selectors.parse_moment(p["since"])
            if p.get("until"):
                kwargs["until"] = selectors.parse_moment(p["until"])
        except ValueError as exc:
            raise serializers.ValidationError({"since": "YYYY-MM-DD HH:MM"}) from exc
        if p.get("user"):
            kwargs["actor"] = User.objects.filter(username=p["user"]).first() or 0
        return selectors.jumper_history(
            designation=p.get("q"), reference=p.get("reference"), action=p.get("action"), **kwargs
        )


class TableView(APIView):
    """The distribution table: ``?page=&page_size=``, filters building, floor, room, department, frame, status, q, ``?at=``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not request.user.has_perm("patching.view_jumper"):
            raise PermissionDenied
        p = request.query_params
        filters = {
            k: p[k] for k in ("q", "building", "floor", "room", "department", "frame", "status") if p.get(k)
        }
        errors = {}
        for key in ("floor", "department"):
            if key in filters and not str(filters[key]).lstrip("-").isdigit():
                errors[key] = ["Enter a whole number."]
        at = None
        if p.get("at"):
            try:
                at = selectors.parse_moment(p["at"])
            except ValueError:
                errors["at"] = ["Enter a moment like 2026-03-01 09:30."]
        try:
            page = int(p.get("page", 1))
            size = int(p.get("page_size", 50))
        except ValueError:
            errors["page"] = ["Enter a whole number."]
            page, size = 1, 50
        if errors:
            return Response(errors, status=400)
        rows, total = selectors.distribution_table_page(
            filters=filters, page=page, per_page=size, at=at, order=p.get("order", "number")
        )
        pages = Paginator(range(total), max(1, min(size, 500))).num_pages
        return Response({"count": total, "page": page, "pages": pages, "results": rows})


class TraceView(APIView):
    """Trace from any designation, extension number or room (``?q=``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request):
        if not request.user.has_perm("patching.view_jumper"):
            raise PermissionDenied
        result = selectors.extension_trace(text=request.query_params.get("q", ""))
        if isinstance(result, list):
            return Response({"traces": [t.as_dict() for t in result]})
        return Response(result.as_dict())


class FaultyView(APIView):
    """Mark a terminal or cable pair faulty or working again:
    POST ``{"designation": "MDF-1/H03/17", "faulty": true, "reason": "…", "reference": "…"}``
    (a pair: ``R-07/12``; the reference, a fault or work order, is optional)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=dict, responses={200: dict})
    def post(self, request):
        if not request.user.has_perm("patching.change_terminal"):
            raise PermissionDenied
        data = request.data if hasattr(request.data, "get") else {}
        text = str(data.get("designation") or "").strip()
        faulty = data.get("faulty")
        if isinstance(faulty, str):
            faulty = {"true": True, "1": True, "false": False, "0": False}.get(faulty.lower())
        if not isinstance(faulty, bool):
            return Response({"faulty": ["true / false"]}, status=400)
        obj = selectors.designation_resolve(text) if text else None
        if not isinstance(obj, (Terminal, CablePair)):
            return Response(
                {"designation": [_("There is no terminal or cable pair %(name)s.") % {"name": text}]},
                status=400,
            )
        try:
            fields = {
                "faulty": faulty,
                "actor": request.user,
                "reason": str(data.get("reason") or ""),
                "reference": str(data.get("reference") or ""),
            }
            if isinstance(obj, Terminal):
                obj = services.terminal_set_faulty(terminal=obj, **fields)
            else:
                obj = services.pair_set_faulty(pair=obj, **fields)
        except DjangoValidationError as exc:
            return _error_response(exc)
        return Response({"designation": obj.designation, "faulty": obj.faulty})
