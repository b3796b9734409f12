import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

from .models import ReportRun
from .registry import kinds_runnable_by

register_section("reports", _("Reports"), order=800)
register_nav(
    NavItem(
        _("Report centre"),
        "reports:centre",
        section="reports",
        permissions=("reports.view_reportrun",),
        order=10,
    ),
    NavItem(
        _("Report schedules"),
        "reports:schedules",
        section="reports",
        permissions=("reports.view_reportschedule",),
        order=20,
    ),
)


@register_card
def failed_reports(request):
    """Reports of the last week that failed and that this person may run again."""
    runnable = {k.code for k in kinds_runnable_by(request.user)}
    if not runnable:
        return None
    since = timezone.now() - datetime.timedelta(days=7)
    failed = list(
        ReportRun.objects.filter(status=ReportRun.Status.FAILED, created_at__gte=since, kind__in=runnable)
        .order_by("-created_at")
        .only("pk", "kind", "created_at", "parameters_text")[:5]
    )
    if not failed:
        return None
    return Card(
        title=_("Reports that failed"),
        template="reports/cards/failed.html",
        context={"runs": failed},
        order=300,
        url=reverse("reports:centre"),
    )
