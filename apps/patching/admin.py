from django import forms
from django.contrib import admin

from . import designations as d
from . import services
from .models import (
    Block,
    Building,
    Cable,
    CablePair,
    DepartmentSubscription,
    Extension,
    Floor,
    Frame,
    Jumper,
    Outlet,
    PatchEvent,
    Pbx,
    PbxPort,
    Room,
    Terminal,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Jumpers and history change only through the patch table's services (they keep the history)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PatchEvent)
class PatchEventAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "action",
        "a_designation",
        "b_designation",
        "extension_number",
        "actor",
        "reason",
        "reference",
    ]
    list_filter = ["action"]
    search_fields = ["a_designation", "b_designation", "extension_number", "reference"]
    date_hierarchy = "at"


@admin.register(Jumper)
class JumperAdmin(ReadOnlyAdmin):
    list_display = ["terminal_a", "terminal_b", "frame", "created_at", "created_by", "reference"]
    search_fields = ["terminal_a__designation", "terminal_b__designation", "reference"]
    list_select_related = ["terminal_a", "terminal_b", "frame", "created_by"]


@admin.register(Terminal)
class TerminalAdmin(ReadOnlyAdmin):
    list_display = ["designation", "side", "faulty", "reserved_reference"]
    search_fields = ["designation"]


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ["number", "user_name", "department", "class_of_service", "port", "outlet"]
    search_fields = ["number", "user_name"]
    list_select_related = ["department", "port", "outlet"]


@admin.register(Floor, DepartmentSubscription)
class MasterAdmin(admin.ModelAdmin):
    pass


class CodedAdmin(admin.ModelAdmin):
    """A code that is part of stored designations is set once, here; it is changed later only by a rename.

    Renames (the frame page, the API, or ``services.*_rename``) rewrite every designation under
    the code and write the rename to the history; editing the code here would leave them stale.
    """

    fixed_after_creation: tuple = ("code",)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + list(self.fixed_after_creation) if obj else fields

    def get_form(self, request, obj=None, **kwargs):
        # A new code follows the same rules as a rename (normalised, fits its designations).
        if obj is None and self.model in CODE_KINDS:
            kind, field = CODE_KINDS[self.model]
            kwargs["form"] = type("CodeForm", (CodeForm,), {"code_kind": kind, "code_field": field})
        return super().get_form(request, obj, **kwargs)


class CodeForm(forms.ModelForm):
    """A new object's code, checked and normalised like a rename's."""

    code_kind = d.FRAME
    code_field = "code"

    def clean(self):
        data = super().clean()
        name = self.code_field
        if name in self.fields and data.get(name) not in (None, ""):
            try:
                data[name] = d.code(data[name], kind=self.code_kind)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return data


CODE_KINDS = {
    Building: (d.BUILDING, "code"),
    Frame: (d.FRAME, "code"),
    Pbx: (d.PBX, "code"),
    Room: (d.ROOM, "number"),
}


@admin.register(Building, Frame, Pbx)
class CodeFixedAdmin(CodedAdmin):
    list_display = ["code"]
    search_fields = ["code"]


@admin.register(Room)
class RoomAdmin(CodedAdmin):
    fixed_after_creation = ("building", "number")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    """A new block gets its numbered terminals (through the service); a block's size is fixed once made."""

    list_display = ["__str__", "side", "size"]

    def get_readonly_fields(self, request, obj=None):
        return ["frame", "code", "size"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.block_create(
            frame=obj.frame, code=obj.code, side=obj.side, size=obj.size, actor=request.user
        )
        obj.pk = created.pk


@admin.register(Cable)
class CableAdmin(admin.ModelAdmin):
    """A new cable gets its numbered pairs (through the service)."""

    list_display = ["code", "kind", "pair_count"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "pair_count"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.cable_create(
            code=obj.code, pair_count=obj.pair_count, kind=obj.kind, actor=request.user
        )
        obj.pk = created.pk


@admin.register(PbxPort, CablePair, Outlet)
class DesignatedAdmin(admin.ModelAdmin):
    """A port's, pair's or outlet's designation is made from its parts, which are fixed once it exists."""

    search_fields = ["designation"]
    raw_id_fields = []
    parts = {
        PbxPort: ("pbx", "shelf", "slot", "port"),
        CablePair: ("cable", "number"),
        Outlet: ("room", "number"),
    }

    def get_raw_id_fields(self, request):
        return [f.name for f in self.model._meta.fields if f.is_relation]

    def get_readonly_fields(self, request, obj=None):
        return ["designation", *self.parts[self.model]] if obj else ["designation"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.designation = self.designation_of(obj)
        super().save_model(request, obj, form, change)

    @staticmethod
    def designation_of(obj) -> str:
        if isinstance(obj, PbxPort):
            return d.port(obj.pbx.code, obj.shelf, obj.slot, obj.port)
        if isinstance(obj, CablePair):
            return d.pair(obj.cable.code, obj.number)
        return d.outlet(obj.room.building.code, obj.room.number, obj.number)
