from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Notification

admin.site.site_header = _("Telroom administration")
admin.site.site_title = _("Telroom")
admin.site.index_title = _("Master data, users and schedules")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "level", "created_at", "read_at", "emailed_at"]
    list_filter = ["level", "created_at"]
    search_fields = ["title", "recipient__username", "recipient__name"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
