"""Orders through their states: numbers, history, rules and messages (no patch table needed)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import Notification
from apps.workorders import services
from apps.workorders.errors import WorkOrderConflict
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder

from .factories import assigned_order, engineer, make_order, order_fields, requester

pytestmark = pytest.mark.django_db


def test_each_kind_gets_its_readable_number_counting_per_year():
    year = timezone.localdate().year
    user = requester()
    assert make_order(user, OrderKind.INSTALL).number == f"ZJ-{year}-00001"
    assert make_order(user, OrderKind.INSTALL).number == f"ZJ-{year}-00002"
    assert make_order(user, OrderKind.MOVE).number == f"YJ-{year}-00001"
    assert make_order(user, OrderKind.REMOVAL).number == f"CJ-{year}-00001"
    assert make_order(user, OrderKind.NUMBER_CHANGE).number == f"GH-{year}-00001"


def test_a_move_without_the_existing_extension_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as exc:
        make_order(kind=OrderKind.MOVE, extension="")
    assert "extension" in exc.value.message_dict
    assert WorkOrder.objects.count() == 0


def test_an_install_needs_a_wanted_extension_or_assign_one():
    with pytest.raises(ValidationError):
        make_order(kind=OrderKind.INSTALL, extension="", assign_extension=False)
    assert make_order(kind=OrderKind.INSTALL, extension="8200", assign_extension=False).extension == "8200"


def test_database_refuses_an_assigned_order_without_engineer():
    order = make_order(submit=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ASSIGNED)


def test_full_path_records_who_and_when_for_every_transition():
    user = requester()
    eng = engineer()
    order = make_order(user, submit=True)
    services.order_assign(actor=eng, order=order, assignee=eng, comment="今天下午处理")
    services.order_start(actor=eng, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    events = list(order.events.values_list("from_status", "to_status", "actor_id"))
    assert events == [
        ("", "draft", user.pk),
        ("draft", "submitted", user.pk),
        ("submitted", "assigned", eng.pk),
        ("assigned", "in_progress", eng.pk),
    ]
    assert order.events.get(to_status="assigned").comment == "今天下午处理"


def test_submitting_tells_the_engineers_and_assigning_tells_the_engineer_and_requester():
    eng = engineer()
    other = engineer()
    user = requester()
    order = make_order(user, submit=True)
    assert Notification.objects.filter(recipient=eng, title__contains=order.number).exists()
    services.order_assign(actor=eng, order=order, assignee=other)
    assert Notification.objects.filter(recipient=other, title__contains="指派给您").exists()
    assert Notification.objects.filter(recipient=user, title__contains=order.number).count() == 1


def test_returned_order_carries_reason_and_can_be_corrected_and_resubmitted():
    user = requester()
    eng = engineer()
    order = make_order(user, submit=True)
    with pytest.raises(ValidationError):
        services.order_return(actor=eng, order=order, reason="  ")
    services.order_return(actor=eng, order=order, reason="房间号不存在")
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    assert Notification.objects.filter(recipient=user, body__contains="房间号不存在").exists()
    services.order_update(actor=user, order=order, room="0508")
    services.order_submit(actor=user, order=order, comment="已更正房间号")
    order.refresh_from_db()
    assert (order.status, order.room) == (OrderStatus.SUBMITTED, "0508")


def test_a_requester_cannot_assign_plan_start_or_complete():
    user = requester()
    order = make_order(user, submit=True)
    with pytest.raises(PermissionDenied):
        services.order_assign(actor=user, order=order, assignee=engineer())
    order = assigned_order()
    for service in (services.order_start, services.order_complete):
        with pytest.raises(PermissionDenied):
            service(actor=user, order=order)
    with pytest.raises(PermissionDenied):
        services.order_plan(actor=user, order=order, steps=[])


def test_a_requester_edits_only_their_own_drafts():
    order = make_order()
    with pytest.raises(PermissionDenied):
        services.order_update(actor=requester(), order=order, room="9999")


def test_an_order_can_only_be_assigned_to_an_engineer():
    order = make_order(submit=True)
    with pytest.raises(ValidationError) as exc:
        services.order_assign(actor=engineer(), order=order, assignee=requester())
    assert "assignee" in exc.value.message_dict


def test_a_completed_step_cannot_be_taken_twice():
    order = make_order(submit=True)
    with pytest.raises(WorkOrderConflict) as exc:
        services.order_submit(actor=order.requester, order=order)
    assert order.number in str(exc.value)


def test_an_order_in_progress_needs_a_reason_to_be_cancelled():
    order = assigned_order()
    services.order_start(actor=order.assignee, order=order)
    with pytest.raises(ValidationError):
        services.order_cancel(actor=order.assignee, order=order, reason="")
    services.order_cancel(actor=order.assignee, order=order, reason="用户已离职")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_requester_may_cancel_their_own_submitted_order_but_not_an_assigned_one():
    user = requester()
    order = make_order(user, submit=True)
    services.order_cancel(actor=user, order=order)
    order = assigned_order()
    with pytest.raises(PermissionDenied):
        services.order_cancel(actor=order.requester, order=order)


def test_order_fields_helper_covers_every_kind():
    for kind in OrderKind.values:
        assert order_fields(kind)["kind"] == kind


def test_overdue_means_open_and_past_the_wanted_date():
    order = make_order(wanted_date=timezone.localdate() - datetime.timedelta(days=1))
    assert order.is_overdue


def test_overdue_orders_are_reminded_to_their_engineer_and_to_dispatchers():
    from django_celery_beat.models import PeriodicTask

    from apps.workorders.tasks import orders_overdue_remind

    past = timezone.localdate() - datetime.timedelta(days=1)
    late = assigned_order(wanted_date=past)
    waiting = make_order(submit=True, wanted_date=past)
    make_order(submit=True)  # on time
    assert orders_overdue_remind() == 2
    assert Notification.objects.filter(recipient=late.assignee, body__contains=late.number).exists()
    assert Notification.objects.filter(body__contains=waiting.number, title__contains="等待派工").exists()
    assert PeriodicTask.objects.filter(task="apps.workorders.tasks.orders_overdue_remind").exists()
