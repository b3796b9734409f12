"""Orders made through the real services, so history, numbers and notifications exist as in use."""

import datetime

from django.utils import timezone

from apps.accounts.models import Role
from apps.workorders import services
from apps.workorders.models import OrderKind
from tests.factories import DepartmentFactory, UserFactory


def requester(**kwargs):
    kwargs.setdefault("department", DepartmentFactory(code="admin", name="行政部"))
    return UserFactory(roles=[Role.REQUESTER], **kwargs)


def engineer(**kwargs):
    kwargs.setdefault("department", DepartmentFactory(code="eng", name="工程部"))
    return UserFactory(roles=[Role.ENGINEER], **kwargs)


def order_fields(kind=OrderKind.MOVE, **overrides):
    fields = {
        "kind": kind,
        "department": DepartmentFactory(code="admin", name="行政部"),
        "person": "张三",
        "contact_phone": "8101",
        "building": "B",
        "floor": "5",
        "room": "0507",
        "outlet": "",
        "extension": "" if kind == OrderKind.INSTALL else "8123",
        "assign_extension": kind == OrderKind.INSTALL,
        "new_extension": "8124" if kind == OrderKind.NUMBER_CHANGE else "",
        "wanted_date": timezone.localdate() + datetime.timedelta(days=3),
        "notes": "",
    }
    fields.update(overrides)
    return fields


def make_order(actor=None, kind=OrderKind.MOVE, submit=False, **overrides):
    actor = actor or requester()
    return services.order_create(actor=actor, submit=submit, **order_fields(kind, **overrides))


def assigned_order(*, by=None, to=None, kind=OrderKind.MOVE, **overrides):
    to = to or engineer()
    by = by or to
    order = make_order(kind=kind, submit=True, **overrides)
    services.order_assign(actor=by, order=order, assignee=to)
    return order
