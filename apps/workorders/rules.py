"""Who may do what with which order: permissions from the roles, plus the object rules.

A requester sees and edits only their own orders and can neither plan nor complete;
engineers (``dispatch`` and ``execute`` permissions) see every order.
"""

from apps.accounts.models import Role

from .models import OrderStatus

DISPATCHER_GROUPS = (Role.ENGINEER.value, Role.CHIEF_ENGINEER.value)

P_ADD = "workorders.add_workorder"
P_VIEW_ALL = "workorders.view_all_workorders"
P_DISPATCH = "workorders.dispatch_workorder"
P_EXECUTE = "workorders.execute_workorder"


def can_create(user) -> bool:
    return user.is_authenticated and user.has_perm(P_ADD)


def can_view_all(user) -> bool:
    return user.has_perm(P_VIEW_ALL)


def can_dispatch(user) -> bool:
    return user.has_perm(P_DISPATCH)


def can_execute(user) -> bool:
    return user.is_active and user.has_perm(P_EXECUTE)


def can_view(user, order) -> bool:
    return can_view_all(user) or order.requester_id == user.pk or order.assignee_id == user.pk


# Who may act on an order, whatever its state (the services say when the state forbids it).


def can_edit(user, order) -> bool:
    return order.requester_id == user.pk


def can_submit(user, order) -> bool:
    return order.requester_id == user.pk


def can_assign(user, order) -> bool:
    return can_dispatch(user)


def can_return(user, order) -> bool:
    return can_dispatch(user)


def _is_worker(user, order) -> bool:
    """The assigned engineer, or a dispatcher who may stand in for them."""
    return can_execute(user) and (order.assignee_id == user.pk or can_dispatch(user))


def can_plan(user, order) -> bool:
    return _is_worker(user, order)


def can_start(user, order) -> bool:
    return _is_worker(user, order)


def can_complete(user, order) -> bool:
    return _is_worker(user, order)


def can_cancel(user, order) -> bool:
    """Dispatchers cancel any open order; a requester their own until it is assigned."""
    if can_dispatch(user):
        return True
    return order.requester_id == user.pk and order.status in (
        OrderStatus.DRAFT,
        OrderStatus.SUBMITTED,
        OrderStatus.RETURNED,
    )


#: The states from which each action may be taken.
STATES = {
    "edit": (OrderStatus.DRAFT, OrderStatus.RETURNED),
    "submit": (OrderStatus.DRAFT, OrderStatus.RETURNED),
    "assign": (OrderStatus.SUBMITTED, OrderStatus.ASSIGNED),
    "return": (OrderStatus.SUBMITTED, OrderStatus.ASSIGNED),
    "plan": (OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS),
    "start": (OrderStatus.ASSIGNED,),
    "complete": (OrderStatus.IN_PROGRESS,),
    "cancel": (
        OrderStatus.DRAFT,
        OrderStatus.SUBMITTED,
        OrderStatus.ASSIGNED,
        OrderStatus.IN_PROGRESS,
        OrderStatus.RETURNED,
    ),
}

_WHO = {
    "edit": can_edit,
    "submit": can_submit,
    "assign": can_assign,
    "return": can_return,
    "plan": can_plan,
    "start": can_start,
    "complete": can_complete,
    "cancel": can_cancel,
}


def allowed(user, order, action: str) -> bool:
    """Return whether ``user`` may take ``action`` on ``order`` in its current state."""
    return order.status in STATES[action] and _WHO[action](user, order)


def actions_for(user, order) -> dict[str, bool]:
    """Return which actions the page should offer this user on this order."""
    return {action: allowed(user, order, action) for action in STATES}
