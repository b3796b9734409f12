from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.registry import Card, NavItem, register_card, register_nav, register_section

from . import rules, selectors
from .models import CLOSED_STATUSES, OrderStatus

register_section("workorders", _("Work orders"), order=20)
register_nav(
    NavItem(
        _("New work order"), "workorders:create", section="workorders", permissions=(rules.P_ADD,), order=10
    ),
    NavItem(
        _("Work orders"),
        "workorders:list",
        section="workorders",
        permissions=(rules.P_ADD, rules.P_VIEW_ALL),
        order=20,
    ),
)


@register_card
def my_requests(request):
    """A requester's open orders, returned ones first."""
    user = request.user
    if not rules.can_create(user) or rules.can_execute(user):
        return None
    mine = selectors.order_list(user=user, scope="mine").exclude(status__in=CLOSED_STATUSES)
    orders = list(mine.order_by("-updated_at")[:5])
    returned = sum(1 for o in orders if o.status == OrderStatus.RETURNED)
    return Card(
        title=_("My work-order requests"),
        template="workorders/cards/requests.html",
        context={"orders": orders, "open": mine.count(), "returned": returned, "can_create": True},
        order=30,
        url=reverse("workorders:list") + "?scope=mine",
    )


@register_card
def my_work(request):
    """An engineer's assigned orders, and what waits for assignment or is overdue."""
    user = request.user
    if not (rules.can_execute(user) or rules.can_dispatch(user)):
        return None
    counts = selectors.order_counts(user=user)
    orders = list(selectors.order_list(user=user, scope="assigned")[:6])
    return Card(
        title=_("Work orders"),
        template="workorders/cards/work.html",
        context={"orders": orders, **counts},
        order=20,
        url=reverse("workorders:list") + "?scope=assigned",
    )
