from django.contrib import admin

from .models import AdjustmentRecord, FunctionChange, FunctionChangeEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the pages and the API, where the approval rules hold; the admin only shows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = FunctionChangeEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "comment", "revision"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FunctionChange)
class FunctionChangeAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "status", "requester", "decided_by", "submitted_at"]
    list_filter = ["status", "kind", "target_scope"]
    search_fields = ["title", "target_extensions", "target_pbx"]
    list_select_related = ["requester", "decided_by"]
    inlines = [EventInline]


@admin.register(AdjustmentRecord)
class AdjustmentRecordAdmin(ReadOnlyAdmin):
    list_display = ["code", "performed_at", "kind", "what", "performed_by", "source", "request"]
    list_filter = ["source", "kind"]
    search_fields = ["what", "target_extensions", "target_pbx"]
    list_select_related = ["performed_by", "request"]
