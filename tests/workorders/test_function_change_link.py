"""An order that links a function-change request completes only once the chief engineer approved it."""

import pytest
from django.core.exceptions import ValidationError

from apps.approvals.models import FunctionChange
from apps.workorders import services
from apps.workorders.errors import WorkOrderConflict
from apps.workorders.function_changes import function_change_is_approved
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder
from tests.approvals.factories import chief, make_request

from .factories import assigned_order, engineer, make_order

pytestmark = pytest.mark.django_db


def test_linking_an_unknown_request_is_refused_with_the_field_named():
    with pytest.raises(ValidationError) as exc:
        make_order(function_change_request=999999)
    assert "function_change_request" in exc.value.message_dict


def test_order_waits_for_the_approval_then_completes():
    eng = engineer(username="wang")
    boss = chief(username="boss")
    change = make_request(requester=eng, status=FunctionChange.Status.SUBMITTED)
    order = assigned_order(
        to=eng,
        kind=OrderKind.NUMBER_CHANGE,
        extension="8123",
        new_extension="8124",
        function_change_request=change.pk,
    )
    services.order_start(actor=eng, order=order)
    with pytest.raises(WorkOrderConflict) as exc:
        services.order_complete(actor=eng, order=order)
    assert "总工" in str(exc.value)
    from apps.approvals import services as approvals

    approvals.function_change_approve(actor=boss, change=change, comment="同意")
    assert function_change_is_approved(request_id=change.pk)
    refused = ""
    try:
        services.order_complete(actor=eng, order=order)
    except WorkOrderConflict as second:
        # Without the patch table the extension cannot be changed; the approval no longer blocks it.
        refused = str(second)
    assert "总工" not in refused
    order.refresh_from_db()
    assert order.status in (OrderStatus.COMPLETED, OrderStatus.IN_PROGRESS)


def test_the_order_page_shows_the_linked_request_and_its_state(client):
    eng = engineer(username="wang")
    change = make_request(requester=eng, status=FunctionChange.Status.SUBMITTED)
    order = make_order(function_change_request=change.pk)
    client.force_login(order.requester)
    page = client.get(f"/workorders/{order.pk}/").content.decode()
    assert change.code in page
    assert "尚未批准" in page


def test_the_order_form_offers_the_requests_to_link(client):
    eng = engineer(username="wang")
    change = make_request(requester=eng, status=FunctionChange.Status.SUBMITTED)
    client.force_login(eng)
    form = client.get("/workorders/new/?kind=move").content.decode()
    assert change.code in form
    data = {
        "kind": "move",
        "person": "张三",
        "department": eng.department_id,
        "contact_phone": "8101",
        "building": "B",
        "room": "0507",
        "extension": "8123",
        "wanted_date": "2030-01-01",
        "function_change_request": change.pk,
        "submit": "1",
    }
    client.post("/workorders/new/", data)
    order = WorkOrder.objects.get()
    assert order.function_change_request == change.pk
