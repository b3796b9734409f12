from django.contrib import admin

from .models import Call, Callback, Line, UseRequest


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "place", "work_start", "work_end", "callback_minutes", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["number", "name", "place"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "answered_at",
        "line",
        "answered_by",
        "rings",
        "kind",
        "outcome",
        "confirmed",
        "answerer_allowed",
    ]
    list_filter = ["line", "kind", "outcome", "answerer_allowed"]
    list_select_related = ["line", "answered_by"]
    search_fields = ["caller_name", "caller_number", "request"]
    date_hierarchy = "answered_at"
    raw_id_fields = ["answered_by"]


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["call", "due_at", "done_at", "done_by", "overdue_notified_at"]
    list_select_related = ["call__line", "done_by"]
    raw_id_fields = ["call", "done_by"]


@admin.register(UseRequest)
class UseRequestAdmin(admin.ModelAdmin):
    list_display = ["requester", "line", "wanted_at", "minutes", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["requester", "line", "decided_by"]
    raw_id_fields = ["requester", "decided_by"]
