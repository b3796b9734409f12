from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import ReportRun, ReportSchedule
from .registry import kind_choices


class ScheduleAdminForm(forms.ModelForm):
    kind = forms.ChoiceField(choices=())

    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "kind",
            "parameters",
            "frequency",
            "time",
            "weekday",
            "day_of_month",
            "recipient_users",
            "recipient_roles",
            "recipient_departments",
            "recipient_addresses",
            "enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        self.fields["kind"].label = ReportSchedule._meta.get_field("kind").verbose_name


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    """Schedules saved here go through the same services as the report pages, so beat follows them."""

    form = ScheduleAdminForm
    list_display = ["name", "kind", "frequency", "time", "weekday", "day_of_month", "enabled"]
    list_filter = ["enabled", "frequency", "kind"]
    search_fields = ["name"]
    filter_horizontal = ["recipient_users", "recipient_departments"]

    def save_model(self, request, obj, form, change):
        # The m2m fields are saved by save_related; the beat entry is synced by the service.
        fields = {
            name: form.cleaned_data[name] for name in services.SCHEDULE_FIELDS if name in form.cleaned_data
        }
        try:
            if change:
                saved = services.report_schedule_update(schedule=obj, actor=request.user, **fields)
            else:
                saved = services.report_schedule_create(actor=request.user, **fields)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            raise
        obj.pk = saved.pk
        obj.periodic_task = saved.periodic_task

    def delete_model(self, request, obj):
        services.report_schedule_delete(schedule=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for schedule in queryset:
            services.report_schedule_delete(schedule=schedule, actor=request.user)


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "status",
        "schedule",
        "slot",
        "requested_by",
        "row_count",
        "seconds",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    date_hierarchy = "created_at"
    list_select_related = ["schedule", "requested_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
