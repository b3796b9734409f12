"""Two engineers completing conflicting orders at the same moment: one succeeds, one is told why."""

import threading

import pytest
from django.db import connection

pytest.importorskip("apps.patching.services", reason="the patch table is not merged yet")

from apps.workorders import services  # noqa: E402
from apps.workorders.errors import PlanStepFailed  # noqa: E402
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder  # noqa: E402

from . import patch_fixture as pf  # noqa: E402
from .factories import assigned_order, engineer  # noqa: E402

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
