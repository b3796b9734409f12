"""Two engineers completing conflicting orders at the same moment: one succeeds, one is told why."""

import threading

import pytest
from django.db import connection

from apps.workorders import services
from apps.workorders.errors import PlanStepFailed
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder

from . import patch_fixture as pf
from .factories import assigned_order, engineer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_engineers_completing_conflicting_orders_at_once_give_one_success():
    wang = engineer(username="wang")
    li = engineer(username="li")
    pf.build(wang)
    from apps.patching import services as p

    p.extension_assign(number="8125", user_name="李四", port="PBX-1/1-02-02", actor=wang, reason="建表")
    # Both orders want the new number 8124; neither was planned, so nothing reserved it.
    first = assigned_order(to=wang, kind=OrderKind.NUMBER_CHANGE, extension="8123", new_extension="8124")
    second = assigned_order(to=li, kind=OrderKind.NUMBER_CHANGE, extension="8125", new_extension="8124")
    services.order_start(actor=wang, order=first)
    services.order_start(actor=li, order=second)

    barrier = threading.Barrier(2)
    outcomes = {}

    def complete(order, actor):
        try:
            barrier.wait()
            services.order_complete(actor=actor, order=order)
            outcomes[order.pk] = "ok"
        except PlanStepFailed as exc:
            outcomes[order.pk] = str(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=args) for args in ((first, wang), (second, li))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True], outcomes
    statuses = sorted(WorkOrder.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == [OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS]
    refused = next(v for v in outcomes.values() if v != "ok")
    assert "8124" in refused
    assert pf.extension("8124") is not None
    # The refused order's old number is untouched: nothing of it was applied.
    assert pf.extension("8123") is not None or pf.extension("8125") is not None


def test_two_engineers_planning_the_same_terminal_at_once_give_one_plan():
    from django.core.exceptions import ValidationError

    from apps.workorders.errors import WorkOrderConflict
    from apps.workorders.models import TerminalReservation

    wang = engineer(username="wang")
    li = engineer(username="li")
    pf.build(wang)
    first = assigned_order(to=wang, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    second = assigned_order(to=li, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    barrier = threading.Barrier(2)
    outcomes = {}

    def plan(order, actor, equipment):
        try:
            barrier.wait()
            services.order_plan(
                actor=actor,
                order=order,
                steps=[{"action": "connect", "terminal_a": equipment, "terminal_b": pf.L_B0508}],
            )
            outcomes[order.pk] = "ok"
        except (ValidationError, WorkOrderConflict) as exc:
            outcomes[order.pk] = str(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=plan, args=args) for args in ((first, wang, pf.E2), (second, li, pf.E3))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v == "ok" for v in outcomes.values()) == [False, True], outcomes
    assert TerminalReservation.objects.filter(terminal=pf.L_B0508).count() == 1
