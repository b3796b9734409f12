from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

from . import selectors
from .models import Fault

register_section("faults", _("Faults and equipment room"), order=40)
register_nav(
    NavItem(_("Report a fault"), "faults:report", section="faults", order=10),
    NavItem(_("Faults"), "faults:list", section="faults", order=20),
    NavItem(
        _("Fault history by item"),
        "faults:item_history",
        section="faults",
        permissions=("faults.view_fault",),
        order=25,
    ),
    NavItem(
        _("Fault statistics"),
        "faults:statistics",
        section="faults",
        permissions=("faults.view_fault",),
        order=30,
    ),
    NavItem(
        _("Response targets"),
        "faults:targets",
        section="faults",
        permissions=("faults.view_responsetarget",),
        order=35,
    ),
    NavItem(
        _("Inspection rounds"),
        "faults:inspections",
        section="faults",
        permissions=("faults.view_inspectionround",),
        order=40,
    ),
    NavItem(
        _("Access log"),
        "faults:access_log",
        section="faults",
        permissions=("faults.view_accessentry",),
        order=50,
    ),
    NavItem(
        _("Document shelf"),
        "faults:documents",
        section="faults",
        permissions=("faults.view_document",),
        order=60,
    ),
)


@register_card
def fault_queue_card(request):
    """Engineers: open faults, the overdue and unacknowledged ones first."""
    if not selectors.fault_may_work(request.user):
        return None
    faults = selectors.fault_attach_deadlines(
        Fault.objects.filter(status__in=Fault.OPEN_STATUSES)
        .select_related("assignee")
        .order_by("reported_at")[:200]
    )
    queue = selectors.fault_sort_queue(faults)
    return Card(
        title=_("Open faults"),
        template="faults/cards/queue.html",
        context={
            "faults": queue[:6],
            "total": len(faults),
            "overdue": sum(1 for f in faults if f.overdue),
            "unacknowledged": sum(1 for f in faults if f.acknowledged_at is None),
        },
        order=20,
        url=reverse("faults:list"),
    )


@register_card
def inspection_card(request):
    if not request.user.has_perm("faults.add_inspectionround"):
        return None
    status = selectors.inspection_status()
    if not status["due"] and not status["missed"]:
        return None
    return Card(
        title=_("Inspection rounds"),
        template="faults/cards/inspections.html",
        context=status,
        order=25,
        url=reverse("faults:inspections"),
    )


@register_card
def in_room_card(request):
    if not request.user.has_perm("faults.view_accessentry"):
        return None
    inside = list(selectors.access_in_room_now()[:10])
    if not inside:
        return None
    return Card(
        title=_("In the equipment room now"),
        template="faults/cards/in_room.html",
        context={"entries": inside},
        order=30,
        url=reverse("faults:access_log"),
    )


@register_card
def my_faults_card(request):
    """Everybody else: the faults they reported that are not yet restored."""
    if request.user.has_perm("faults.view_fault"):
        return None
    mine = list(
        Fault.objects.filter(reporter=request.user, status__in=Fault.OPEN_STATUSES).order_by("-reported_at")[
            :5
        ]
    )
    if not mine:
        return None
    return Card(
        title=_("My fault reports"),
        template="faults/cards/mine.html",
        context={"faults": mine},
        order=40,
        url=reverse("faults:list"),
    )
