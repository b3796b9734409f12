"""Completing orders applies their plans to the patch table, all or nothing (needs the patch table)."""

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import Notification
from apps.workorders import patch_table, services
from apps.workorders.errors import PlanStepFailed
from apps.workorders.models import OrderKind, OrderStatus, TerminalReservation, WorkOrder
from tests.factories import DepartmentFactory, UserFactory

from . import patch_fixture as pf
from .factories import assigned_order, engineer, requester

pytestmark = pytest.mark.django_db


@pytest.fixture
def eng():
    return engineer(username="wang")


@pytest.fixture
def table(eng):
    return pf.build(eng)


def _move_plan(order, eng, *, outlet="B-0507-1", line=pf.L_B0507):
    services.order_plan(
        actor=eng,
        order=order,
        steps=[
            {"action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203},
            {"action": "connect", "terminal_a": pf.E1, "terminal_b": line},
        ],
        outlet=outlet,
    )


def test_move_order_moves_the_extension_and_tells_subscribed_departments(table, eng):
    from apps.patching import services as p

    watchers = DepartmentFactory(code="watch", name="保卫部")
    reader = UserFactory(department=watchers)
    p.subscription_add(department=watchers, actor=eng)
    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    _move_plan(order, eng)
    services.order_start(actor=eng, order=order)
    services.order_complete(actor=eng, order=order, comment="已完成")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.previous_location == "A-1203"
    assert pf.peer(pf.E1) == pf.L_B0507
    assert pf.peer(pf.L_A1203) == ""
    assert patch_table.extension_location(number="8123") == "B-0507"
    assert pf.extension("8123").user_name == "张三"
    # One message per change: the order's, not a second one from the patch table.
    assert list(Notification.objects.filter(recipient=reader).values_list("title", flat=True)) == [
        "分机 8123 已由 A-1203 移至 B-0507"
    ]
    assert not TerminalReservation.objects.exists()
    from apps.patching import selectors

    assert selectors.jumper_history(reference=order.number).count() >= 2


def test_install_order_creates_the_extension_on_the_planned_port(table, eng):
    order = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    suggestion = patch_table.plan_suggestion(order=order)
    assert suggestion is not None
    assert suggestion["steps"][0]["terminal_b"] == pf.L_B0508
    services.order_plan(
        actor=eng,
        order=order,
        steps=suggestion["steps"],
        port=suggestion["port"],
        extension="8200",
        outlet=suggestion["outlet"],
    )
    services.order_start(actor=eng, order=order)
    services.order_complete(actor=eng, order=order)
    ext = pf.extension("8200")
    assert ext is not None
    assert ext.port.designation == suggestion["port"]
    assert patch_table.extension_location(number="8200") == "B-0508"


def test_removal_order_disconnects_and_frees_the_number(table, eng):
    order = assigned_order(to=eng, kind=OrderKind.REMOVAL, extension="8123", building="A", room="1203")
    suggestion = patch_table.plan_suggestion(order=order)
    assert suggestion["steps"] == [
        {"action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203, "note": ""}
    ]
    services.order_plan(actor=eng, order=order, steps=suggestion["steps"])
    services.order_start(actor=eng, order=order)
    services.order_complete(actor=eng, order=order)
    assert pf.extension("8123") is None
    assert pf.peer(pf.E1) == ""


def test_number_change_keeps_the_port_and_outlet(table, eng):
    order = assigned_order(
        to=eng,
        kind=OrderKind.NUMBER_CHANGE,
        extension="8123",
        new_extension="8124",
        building="A",
        room="1203",
    )
    services.order_start(actor=eng, order=order)
    services.order_complete(actor=eng, order=order)
    assert pf.extension("8123") is None
    assert pf.extension("8124").port.designation == "PBX-1/1-02-01"
    assert patch_table.extension_location(number="8124") == "A-1203"


def test_move_suggestion_disconnects_the_old_path_and_builds_the_new_one(table, eng):
    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    suggestion = patch_table.plan_suggestion(order=order)
    assert [(s["action"], s["terminal_a"], s["terminal_b"]) for s in suggestion["steps"]] == [
        ("disconnect", pf.E1, pf.L_A1203),
        ("connect", pf.E1, pf.L_B0507),
    ]


def test_a_stale_plan_is_refused_whole_and_names_the_step(table, eng):
    """Someone jumpered the planned line terminal meanwhile: nothing of the plan is applied."""
    from apps.patching import services as p

    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    _move_plan(order, eng)
    services.order_start(actor=eng, order=order)
    # Another engineer frees the reservation's terminal by a direct change on the frame.
    services.order_plan(
        actor=eng,
        order=order,
        steps=[
            {"action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203},
            {"action": "connect", "terminal_a": pf.E1, "terminal_b": pf.L_SPARE},
        ],
        outlet="B-0509-1",
    )
    other = engineer(username="li")
    p.terminal_release(terminals=[pf.L_SPARE], reference=order.number, actor=other)
    p.jumper_connect(terminal_a=pf.E2, terminal_b=pf.L_SPARE, actor=other, reason="临时")
    with pytest.raises(PlanStepFailed) as exc:
        services.order_complete(actor=eng, order=order)
    assert exc.value.position == 2
    assert "第 2 步" in str(exc.value.message) or "Step 2" in str(exc.value.message)
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    assert pf.peer(pf.E1) == pf.L_A1203  # the disconnect of step 1 was rolled back
    assert patch_table.extension_location(number="8123") == "A-1203"


def test_a_disconnect_step_that_no_longer_matches_is_refused(table, eng):
    from apps.patching import services as p

    order = assigned_order(to=eng, kind=OrderKind.REMOVAL, extension="8123", building="A", room="1203")
    services.order_plan(
        actor=eng,
        order=order,
        steps=[{"action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203}],
    )
    services.order_start(actor=eng, order=order)
    p.jumper_disconnect(terminal=pf.E1, actor=eng, reason="误操作")
    p.jumper_connect(terminal_a=pf.E1, terminal_b=pf.L_B0508, actor=eng, reason="临时")
    with pytest.raises(PlanStepFailed) as exc:
        services.order_complete(actor=eng, order=order)
    assert exc.value.position == 1
    assert pf.extension("8123") is not None


def test_a_reserved_terminal_blocks_a_second_order(table, eng):
    first = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    services.order_plan(
        actor=eng, order=first, steps=[{"action": "connect", "terminal_a": pf.E2, "terminal_b": pf.L_B0508}]
    )
    second = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    with pytest.raises(ValidationError) as exc:
        services.order_plan(
            actor=eng,
            order=second,
            steps=[{"action": "connect", "terminal_a": pf.E3, "terminal_b": pf.L_B0508}],
        )
    assert first.number in " ".join(exc.value.messages)
    assert not second.steps.exists()
    from apps.patching import selectors

    assert selectors.terminal_search(q=pf.L_B0508, limit=1)[0]["status"] == "reserved"


def test_cancelling_frees_the_reservations(table, eng):
    order = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    services.order_plan(
        actor=eng, order=order, steps=[{"action": "connect", "terminal_a": pf.E2, "terminal_b": pf.L_B0508}]
    )
    services.order_cancel(actor=eng, order=order, reason="用户取消")
    from apps.patching import selectors

    assert selectors.terminal_search(q=pf.L_B0508, limit=1)[0]["status"] == "free"
    assert not TerminalReservation.objects.exists()


def test_unknown_terminal_in_a_plan_is_named(table, eng):
    order = assigned_order(to=eng)
    with pytest.raises(ValidationError) as exc:
        services.order_plan(
            actor=eng,
            order=order,
            steps=[{"action": "connect", "terminal_a": "MDF-9/X/1", "terminal_b": pf.L_B0508}],
        )
    assert "第 1 步" in " ".join(exc.value.messages)


def test_engineer_completes_through_the_page_and_sees_the_failed_step(client, table, eng):
    from apps.patching import services as p

    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    client.force_login(eng)
    response = client.get(f"/workorders/{order.pk}/plan/")
    assert pf.L_B0507 in response.content.decode()  # the suggested plan is filled in
    _move_plan(order, eng)
    services.order_start(actor=eng, order=order)
    p.terminal_release(terminals=[pf.L_B0507], reference=order.number, actor=eng)
    p.jumper_connect(terminal_a=pf.E3, terminal_b=pf.L_B0507, actor=eng, reason="临时")
    response = client.post(f"/workorders/{order.pk}/complete/", follow=True)
    page = response.content.decode()
    assert 'data-testid="failed-step"' in page
    assert "第 2 步" in page
    assert "配线表保持不变" in page
    api = client.post(f"/api/workorders/{order.pk}/complete/")
    assert api.status_code == 409
    assert api.json()["step"] == 2


def test_a_planned_port_and_new_number_are_held_for_the_order(table, eng):
    first = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    services.order_plan(actor=eng, order=first, steps=[], port="PBX-1/1-02-05", extension="8300")
    second = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0509", assign_extension=True)
    with pytest.raises(ValidationError) as exc:
        services.order_plan(actor=eng, order=second, steps=[], port="PBX-1/1-02-05", extension="8300")
    text = " ".join(exc.value.messages)
    assert "PBX-1/1-02-05" in text
    assert "8300" in text


def test_api_plans_and_completes_a_move(client, table, eng):
    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    client.force_login(eng)
    plan = {
        "steps": [
            {"position": 1, "action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203},
            {"position": 2, "action": "connect", "terminal_a": pf.E1, "terminal_b": pf.L_B0507},
        ],
        "outlet": "B-0507-1",
    }
    response = client.post(f"/api/workorders/{order.pk}/plan/", plan, content_type="application/json")
    assert response.status_code == 200, response.content
    assert len(response.json()["steps"]) == 2
    assert client.post(f"/api/workorders/{order.pk}/start/").status_code == 200
    response = client.post(f"/api/workorders/{order.pk}/complete/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert patch_table.extension_location(number="8123") == "B-0507"


def test_plan_page_offers_the_rooms_outlets_and_free_ports(client, table, eng):
    order = assigned_order(to=eng, kind=OrderKind.INSTALL, building="B", room="0508", assign_extension=True)
    client.force_login(eng)
    page = client.get(f"/workorders/{order.pk}/plan/").content.decode()
    assert "B-0508-1" in page
    assert "PBX-1/1-02-02" in page
    assert "空闲" in page


def test_a_move_without_an_outlet_in_the_new_room_is_refused_whole(table, eng):
    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    services.order_plan(
        actor=eng,
        order=order,
        steps=[
            {"action": "disconnect", "terminal_a": pf.E1, "terminal_b": pf.L_A1203},
            {"action": "connect", "terminal_a": pf.E1, "terminal_b": pf.L_B0507},
        ],
    )
    services.order_start(actor=eng, order=order)
    with pytest.raises(PlanStepFailed) as exc:
        services.order_complete(actor=eng, order=order)
    assert "信息点" in str(exc.value)
    assert pf.peer(pf.E1) == pf.L_A1203


KIND_CASES = {
    # kind: (form fields, plan steps, plan fields, check)
    OrderKind.INSTALL: (
        {"building": "B", "room": "0508", "assign_extension": "on"},
        [("connect", pf.E2, pf.L_B0508)],
        {"port": "PBX-1/1-02-02", "extension": "8200", "outlet": "B-0508-1"},
        lambda: patch_table.extension_location(number="8200") == "B-0508",
    ),
    OrderKind.MOVE: (
        {"building": "B", "room": "0507", "extension": "8123"},
        [("disconnect", pf.E1, pf.L_A1203), ("connect", pf.E1, pf.L_B0507)],
        {"outlet": "B-0507-1"},
        lambda: patch_table.extension_location(number="8123") == "B-0507",
    ),
    OrderKind.REMOVAL: (
        {"building": "A", "room": "1203", "extension": "8123"},
        [("disconnect", pf.E1, pf.L_A1203)],
        {},
        lambda: pf.extension("8123") is None and pf.peer(pf.E1) == "",
    ),
    OrderKind.NUMBER_CHANGE: (
        {"building": "A", "room": "1203", "extension": "8123", "new_extension": "8124"},
        [],
        {},
        lambda: patch_table.extension_location(number="8124") == "A-1203" and pf.extension("8123") is None,
    ),
}


@pytest.mark.parametrize("kind", list(KIND_CASES))
def test_each_kind_end_to_end_through_the_pages(client, table, eng, kind):
    fields, steps, plan, check = KIND_CASES[kind]
    asker = requester(username="asker")
    client.force_login(asker)
    data = {
        "kind": kind,
        "person": "张三",
        "department": asker.department_id,
        "contact_phone": "8101",
        "wanted_date": "2030-01-01",
        "submit": "1",
        **fields,
    }
    response = client.post("/workorders/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    order = WorkOrder.objects.get()
    client.force_login(eng)
    client.post(f"/workorders/{order.pk}/assign/", {"assignee": eng.pk})
    form = {
        "steps-TOTAL_FORMS": str(len(steps) + 1),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "40",
        "port": "",
        "extension": "",
        "outlet": "",
        "notes": "",
        **plan,
    }
    for i, (action, a, b) in enumerate(steps):
        form.update({f"steps-{i}-action": action, f"steps-{i}-terminal_a": a, f"steps-{i}-terminal_b": b})
    response = client.post(f"/workorders/{order.pk}/plan/", form)
    assert response.status_code == 302, response.content.decode()[-3000:]
    client.post(f"/workorders/{order.pk}/start/")
    page = client.post(f"/workorders/{order.pk}/complete/", follow=True).content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED, page[-3000:]
    assert "配线表已更新" in page
    assert check()
    client.force_login(asker)
    mine = client.get(f"/workorders/{order.pk}/").content.decode()
    assert "已完成" in mine


def test_department_members_who_may_not_open_the_order_get_the_notice_without_a_link(table, eng):
    from apps.patching import services as p

    watchers = DepartmentFactory(code="watch2", name="前厅部")
    reader = UserFactory(department=watchers)
    p.subscription_add(department=watchers, actor=eng)
    order = assigned_order(to=eng, kind=OrderKind.MOVE, extension="8123", building="B", room="0507")
    _move_plan(order, eng)
    services.order_start(actor=eng, order=order)
    services.order_complete(actor=eng, order=order, comment="已完成")
    notice = Notification.objects.get(recipient=reader)
    assert notice.url == ""
    assert Notification.objects.filter(recipient=order.requester, url=order.get_absolute_url()).exists()
