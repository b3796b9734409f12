"""In the browser: a requester submits a move order, an engineer plans and completes it,
and the distribution table shows the extension in its new room."""

import datetime

import pytest
from django.utils import timezone

from apps.workorders.models import OrderStatus, WorkOrder
from tests.browser import login

from . import patch_fixture as pf
from .factories import engineer, requester

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_move_order_from_request_to_distribution_table(live_server, page):
    eng = engineer(username="wang", name="王工", language="zh-hans")
    requester(username="zhao", name="赵行政", language="zh-hans")
    pf.build(eng)

    login(page, live_server, "zhao")
    page.goto(f"{live_server.url}/workorders/new/?kind=move")
    page.fill("input[name=contact_phone]", "13800000000")
    page.fill("input[name=building]", "B")
    page.fill("input[name=floor]", "5")
    page.fill("input[name=room]", "0507")
    page.fill("input[name=extension]", "8123")
    page.fill("input[name=wanted_date]", (timezone.localdate() + datetime.timedelta(days=2)).isoformat())
    page.click("[data-testid=save-submit]")
    page.wait_for_selector("[data-testid=order-number]")
    order = WorkOrder.objects.get()
    assert order.number.startswith("YJ-")
    assert "已提交" in page.inner_text("[data-testid=status]")

    page.context.clear_cookies()
    login(page, live_server, "wang")
    page.goto(f"{live_server.url}/workorders/?scope=waiting")
    page.click(f"text={order.number}")
    page.select_option("#id_assignee", str(eng.pk))
    page.click("[data-testid=assign]")
    page.click("[data-testid=plan]")
    page.wait_for_selector("[data-testid=suggested]")
    assert page.input_value("[data-testid=step-2-b]") == pf.L_B0507
    page.click("[data-testid=save-plan]")
    page.wait_for_selector("[data-testid=plan-steps]")
    page.click("[data-testid=start]")
    page.click("[data-testid=complete]")
    page.wait_for_selector("text=配线表已更新")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED

    page.goto(f"{live_server.url}/patching/?q=8123")
    row = page.inner_text("[data-testid=row-8123]")
    assert "B-0507" in row
    assert "A-1203" not in row
