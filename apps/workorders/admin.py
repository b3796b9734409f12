from django.contrib import admin

from .models import OrderEvent, PlanStep, TerminalReservation, WorkOrder


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    can_delete = False
    readonly_fields = ["position", "action", "terminal_a", "terminal_b", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "from_status", "to_status", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only: orders change only through their pages and the API, so the rules always hold."""

    list_display = ["number", "kind", "status", "person", "department", "wanted_date", "assignee"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["number", "person", "extension", "room"]
    inlines = [PlanStepInline, OrderEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TerminalReservation)
class TerminalReservationAdmin(admin.ModelAdmin):
    list_display = ["terminal", "order", "created_at"]
    search_fields = ["terminal", "order__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
