from django.contrib import admin

from .models import CalendarDay, CallImport, DayResult, RuleSet, TrainingSession


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "standard_calls",
        "standard_customers",
        "new_calls",
        "new_customers",
        "min_talk_seconds",
        "fine_per_short",
        "fine_per_false",
        "work_hours",
        "end_of_work",
        "day_close",
    ]

    def has_change_permission(self, request, obj=None):
        # A rule set that already judged days stays as it was: add a new one instead.
        from django.utils import timezone

        if obj is not None and obj.effective_from <= timezone.localdate():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working", "name"]
    list_filter = ["is_working"]


@admin.register(DayResult)
class DayResultAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "rep",
        "required_calls",
        "effective_calls",
        "required_customers",
        "counted_customers",
        "fine_total",
        "is_closed",
    ]
    list_filter = ["is_closed", "date"]
    list_select_related = ["rep"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(TrainingSession)
admin.site.register(CallImport)
