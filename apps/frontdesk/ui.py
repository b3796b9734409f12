from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

from . import selectors

register_section("frontdesk", _("Front desk"), order=50)
register_nav(
    NavItem(
        _("Log a call"),
        "frontdesk:call_new",
        section="frontdesk",
        permissions=("frontdesk.add_call",),
        order=10,
    ),
    NavItem(
        _("Callbacks"),
        "frontdesk:callback_list",
        section="frontdesk",
        permissions=("frontdesk.view_callback",),
        order=20,
    ),
    NavItem(
        _("Call log"),
        "frontdesk:call_list",
        section="frontdesk",
        permissions=("frontdesk.view_call",),
        order=30,
    ),
    NavItem(
        _("Personal use of phones"),
        "frontdesk:use_request_list",
        section="frontdesk",
        permissions=("frontdesk.add_userequest", "frontdesk.view_userequest"),
        order=40,
    ),
    NavItem(
        _("Front-desk figures"),
        "frontdesk:figures",
        section="frontdesk",
        permissions=("frontdesk.view_figures",),
        order=50,
    ),
    NavItem(
        _("Front-desk lines"),
        "frontdesk:line_list",
        section="frontdesk",
        permissions=("frontdesk.view_line",),
        order=60,
    ),
)


@register_card
def callbacks_card(request):
    """Front desk and shift leaders: the callbacks still to make, overdue ones first."""
    user = request.user
    if not user.has_role(Role.FRONT_DESK, Role.SHIFT_LEADER) or not user.has_perm("frontdesk.view_callback"):
        return None
    now = timezone.now()
    return Card(
        title=_("Callbacks to make"),
        template="frontdesk/cards/callbacks.html",
        context={
            "counts": selectors.callback_counts(now=now),
            "next": list(selectors.callback_list(now=now)[:5]),
            "now": now,
            "can_log": user.has_perm("frontdesk.add_call"),
        },
        order=20,
        url=reverse("frontdesk:callback_list"),
    )


@register_card
def figures_card(request):
    """Floor manager: today's and this month's front-desk figures, and requests to decide."""
    user = request.user
    if not user.has_role(Role.FLOOR_MANAGER) or not user.has_perm("frontdesk.view_figures"):
        return None
    today = timezone.localdate()
    pending = (
        selectors.use_request_pending_count(user=user) if user.has_perm("frontdesk.decide_userequest") else 0
    )
    day_start, day_end = selectors.day_range(today)
    month_start, month_end = selectors.month_range(today)
    return Card(
        title=_("Front-desk phone"),
        template="frontdesk/cards/figures.html",
        context={
            "today": selectors.figures(start=day_start, end=day_end),
            "month": selectors.figures(start=month_start, end=month_end),
            "pending": pending,
            "callbacks": selectors.callback_counts(),
        },
        order=20,
        url=reverse("frontdesk:figures"),
    )
