"""Reads of the work-order app: the lists each role works from, an order with its history, reservations."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import rules
from .models import CLOSED_STATUSES, OPEN_STATUSES, OrderStatus, TerminalReservation, WorkOrder

SCOPES = ("mine", "waiting", "assigned", "overdue", "all")


def order_visible_to(*, user) -> QuerySet[WorkOrder]:
    """Return the orders this user may see: all of them for engineers, otherwise their own."""
    qs = WorkOrder.objects.all()
    if not rules.can_view_all(user):
        qs = qs.filter(Q(requester=user) | Q(assignee=user))
    return qs


def order_list(*, user, scope: str = "mine") -> QuerySet[WorkOrder]:
    """Return one of the role lists: my requests, waiting for assignment, my assigned work, overdue, all."""
    qs = order_visible_to(user=user).select_related("requester", "department", "assignee")
    if scope == "mine":
        qs = qs.filter(requester=user)
    elif scope == "waiting":
        qs = qs.filter(status=OrderStatus.SUBMITTED).order_by("wanted_date", "submitted_at", "pk")
    elif scope == "assigned":
        qs = qs.filter(assignee=user, status__in=[OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS]).order_by(
            "wanted_date", "pk"
        )
    elif scope == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, wanted_date__lt=timezone.localdate()).exclude(
            status=OrderStatus.DRAFT
        )
        qs = qs.order_by("wanted_date", "pk")
    return qs


def order_get(*, user, pk: int) -> WorkOrder | None:
    return (
        order_visible_to(user=user)
        .select_related("requester", "department", "assignee")
        .filter(pk=pk)
        .first()
    )


def order_history(*, order: WorkOrder):
    return order.events.select_related("actor").order_by("at", "pk")


def order_counts(*, user) -> dict[str, int]:
    """Return the numbers on the home cards and the list tabs."""
    today = timezone.localdate()
    counts = {
        "mine_open": WorkOrder.objects.filter(requester=user).exclude(status__in=CLOSED_STATUSES).count(),
        "returned": WorkOrder.objects.filter(requester=user, status=OrderStatus.RETURNED).count(),
    }
    if rules.can_dispatch(user) or rules.can_execute(user):
        counts["waiting"] = WorkOrder.objects.filter(status=OrderStatus.SUBMITTED).count()
        counts["assigned"] = WorkOrder.objects.filter(
            assignee=user, status__in=[OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS]
        ).count()
        counts["overdue"] = (
            WorkOrder.objects.filter(status__in=OPEN_STATUSES, wanted_date__lt=today)
            .exclude(status=OrderStatus.DRAFT)
            .count()
        )
    return counts


def terminal_reservations(*, designations) -> dict[str, str]:
    """Return terminal designation -> number of the open order that reserved it."""
    return dict(
        TerminalReservation.objects.filter(terminal__in=list(designations)).values_list(
            "terminal", "order__number"
        )
    )


def engineers():
    """Return the active users who can carry out work orders, for the assign form."""
    from apps.accounts.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                groups__permissions__codename="execute_workorder",
                groups__permissions__content_type__app_label="workorders",
            )
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("name", "username")
    )


__all__ = ["SCOPES", "order_counts", "order_get", "order_history", "order_list", "terminal_reservations"]
