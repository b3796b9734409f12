from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

register_section("sales", _("Sales"), order=60)
register_nav(
    NavItem(_("My day"), "sales:my_day", section="sales", roles=("sales_rep",), order=10),
    NavItem(_("Team board"), "sales:board", section="sales", permissions=("sales.change_absence",), order=15),
    NavItem(_("Calls"), "sales:calls", section="sales", permissions=("sales.view_call",), order=20),
    NavItem(
        _("Follow-up records"),
        "sales:follow_ups",
        section="sales",
        permissions=("sales.view_followup",),
        order=30,
    ),
    NavItem(
        _("Visits and leave"),
        "sales:absences",
        section="sales",
        permissions=("sales.view_absence",),
        order=40,
    ),
    NavItem(
        _("Approvals"), "sales:approvals", section="sales", permissions=("sales.change_absence",), order=45
    ),
    NavItem(
        _("Work records"),
        "sales:work_records",
        section="sales",
        permissions=("sales.view_workrecord",),
        order=50,
    ),
    NavItem(
        _("Weekly plans"),
        "sales:weekly_plans",
        section="sales",
        permissions=("sales.view_weeklyplan",),
        order=60,
    ),
    NavItem(
        _("Training"),
        "sales:trainings",
        section="sales",
        permissions=("sales.view_trainingsession",),
        order=70,
    ),
    NavItem(
        _("Monthly statement"),
        "sales:statement",
        section="sales",
        permissions=("sales.view_dayresult",),
        order=80,
    ),
    NavItem(
        _("Import call records"),
        "sales:call_import",
        section="sales",
        permissions=("sales.import_calls",),
        order=90,
    ),
)


@register_card
def quota_card(request):
    """A rep's card: today's calls and customers against the standard."""
    user = request.user
    if not user.has_role("sales_rep") or user.is_superuser:
        return None
    import datetime

    from apps.core.calendar import week_start

    from .models import WeeklyPlan, WorkRecord
    from .selectors import day_progress

    today = timezone.localdate()
    progress = day_progress(rep=user, day=today)
    progress["work_record_sent"] = WorkRecord.objects.filter(rep=user, date=today).exists()
    progress["plan_due"] = (
        today.weekday() == 5
        and not WeeklyPlan.objects.filter(
            rep=user, week_start=week_start(today) + datetime.timedelta(days=7)
        ).exists()
    )
    return Card(_("Today's quota"), "sales/cards/quota.html", progress, order=20, url=reverse("sales:my_day"))


@register_card
def team_card(request):
    """A supervisor's card: who is behind today, and what waits for a decision."""
    user = request.user
    if not user.has_role("sales_supervisor"):
        return None
    from .selectors import absences_to_decide, team_board

    board = team_board(supervisor=user, day=timezone.localdate())
    context = {"board": board, "pending": absences_to_decide(user=user).count()}
    return Card(_("Sales team today"), "sales/cards/team.html", context, order=20, url=reverse("sales:board"))
