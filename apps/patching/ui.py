from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

register_section("patching", _("Patch table"), order=10)
register_nav(
    NavItem(
        _("Distribution table"),
        "patching:table",
        section="patching",
        permissions=("patching.view_jumper",),
        order=10,
    ),
    NavItem(
        _("Connect / disconnect"),
        "patching:jumpers",
        section="patching",
        permissions=("patching.add_jumper",),
        order=20,
    ),
    NavItem(
        _("Trace"), "patching:trace", section="patching", permissions=("patching.view_jumper",), order=30
    ),
    NavItem(
        _("Change history"),
        "patching:history",
        section="patching",
        permissions=("patching.view_patchevent",),
        order=40,
    ),
    NavItem(
        _("Frames"), "patching:frames", section="patching", permissions=("patching.view_frame",), order=52
    ),
    NavItem(
        _("Faulty terminals and pairs"),
        "patching:faulty",
        section="patching",
        permissions=("patching.change_terminal",),
        order=55,
    ),
    NavItem(
        _("Reserved terminals"),
        "patching:reservations",
        section="patching",
        permissions=("patching.change_terminal",),
        order=56,
    ),
    NavItem(
        _("Checks"), "patching:checks", section="patching", permissions=("patching.view_jumper",), order=50
    ),
    NavItem(
        _("Compare two moments"),
        "patching:diff",
        section="patching",
        permissions=("patching.view_jumper",),
        order=60,
    ),
    NavItem(
        _("Import from Excel"),
        "patching:import",
        section="patching",
        permissions=("patching.add_extension",),
        order=70,
    ),
    NavItem(
        _("Add an extension"),
        "patching:extension_new",
        section="patching",
        permissions=("patching.add_extension",),
        order=80,
    ),
    NavItem(
        _("Department subscriptions"),
        "patching:subscriptions",
        section="patching",
        permissions=("patching.view_departmentsubscription",),
        order=90,
    ),
)


@register_card
def my_changes_today(request):
    """Engineers: the jumper changes they logged today, and a way in to log the next one."""
    if not request.user.has_perm("patching.add_jumper"):
        return None
    from django.utils import timezone

    from .selectors import jumper_history

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    entries = list(jumper_history(since=start, actor=request.user)[:5])
    return Card(
        title=_("My patch-table changes today"),
        template="patching/cards/today.html",
        context={"entries": entries},
        order=20,
        url=reverse("patching:jumpers"),
    )
