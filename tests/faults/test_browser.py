"""In a real browser: a fault is reported, acknowledged, given an action and restored."""

import pytest

from apps.faults.models import Fault
from tests.browser import login
from tests.faults.factories import engineer, requester

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fault_reported_acknowledged_acted_on_and_restored(live_server, page):
    requester(username="zhao", name="赵行政")
    engineer(username="wang", name="王工")

    login(page, live_server, "zhao")
    page.goto(f"{live_server.url}/faults/report/")
    page.fill("input[name=item]", "8123")
    page.fill("textarea[name=symptom]", "无拨号音")
    page.check("input[name=severity][value=major]")
    page.click("[data-testid=fault-report-submit]")
    page.wait_for_selector("[data-testid=fault-number]")
    number = page.inner_text("[data-testid=fault-number]")
    assert number.startswith("GZ-")
    assert "已报告" in page.inner_text("[data-testid=fault-status]")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")

    login(page, live_server, "wang")
    assert number in page.content()  # the home card lists the new fault
    page.goto(f"{live_server.url}/faults/")
    page.click(f"text={number}")
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("text=故障已确认")
    page.fill("[data-testid=action-form] textarea[name=description]", "MDF-1/H03/17 重新跳线")
    page.check("[data-testid=action-form] input[name=jumpers_changed]")
    page.click("[data-testid=action-submit]")
    page.wait_for_selector("text=处理措施已登记")
    page.click("summary:has-text('已恢复')")
    page.click("[data-testid=restore]")
    page.wait_for_selector("text=已标记为恢复")
    timeline = page.inner_text("[data-testid=timeline]")
    for step in ("已报告", "已确认", "MDF-1/H03/17 重新跳线", "已恢复"):
        assert step in timeline
    assert number in timeline  # the patch-table reference of the jumper change
    fault = Fault.objects.get(number=number)
    assert fault.status == Fault.Status.RESTORED
    assert fault.actions.get().jumpers_changed
