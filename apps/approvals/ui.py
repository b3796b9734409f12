from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

from . import selectors

register_section("approvals", _("Function changes"), order=40)
register_nav(
    NavItem(
        _("My function changes"),
        "approvals:mine",
        section="approvals",
        permissions=("approvals.add_functionchange",),
        order=10,
    ),
    NavItem(
        _("Pending approval"),
        "approvals:queue",
        section="approvals",
        permissions=("approvals.approve_functionchange",),
        order=20,
    ),
    NavItem(
        _("All function changes"),
        "approvals:list",
        section="approvals",
        permissions=("approvals.view_functionchange",),
        order=30,
    ),
    NavItem(
        _("Adjustment records"),
        "approvals:adjustments",
        section="approvals",
        permissions=("approvals.view_adjustmentrecord",),
        order=40,
    ),
)

CARD_ROWS = 5


@register_card
def approval_queue(request):
    """The chief engineer's queue: what waits for a decision, oldest first, with its age."""
    user = request.user
    if not user.has_perm("approvals.approve_functionchange"):
        return None
    queue = selectors.function_change_pending_queue().exclude(requester=user)
    return Card(
        title=_("Function changes waiting for your approval"),
        template="approvals/cards/queue.html",
        context={"rows": list(queue[:CARD_ROWS]), "total": queue.count(), "now": timezone.now()},
        order=20,
        url=reverse("approvals:queue"),
    )


@register_card
def my_function_changes(request):
    """An engineer's own open requests and their state, plus approved changes to carry out."""
    user = request.user
    if not user.has_perm("approvals.add_functionchange"):
        return None
    mine = list(
        selectors.function_change_list(user=user, mine=True)
        .exclude(status__in=["verified", "withdrawn"])
        .order_by("-updated_at", "-pk")[:CARD_ROWS]
    )
    to_implement = []
    if user.has_perm("approvals.implement_functionchange"):
        to_implement = list(selectors.function_change_awaiting_implementation()[:CARD_ROWS])
    to_verify = list(selectors.function_change_awaiting_verification(user=user)[:CARD_ROWS])
    if not (mine or to_implement or to_verify):
        return None
    return Card(
        title=_("My function changes"),
        template="approvals/cards/mine.html",
        context={"mine": mine, "to_implement": to_implement, "to_verify": to_verify},
        order=25,
        url=reverse("approvals:mine"),
    )
