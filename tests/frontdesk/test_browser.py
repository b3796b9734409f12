import pytest

from apps.frontdesk.models import Callback
from tests.browser import login

from .factories import front_desk_user, make_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_call_with_a_promised_callback_and_mark_it_done(live_server, page):
    front_desk_user(username="sun", name="孙前台")
    line = make_line(greeting="您好，小羔羊火锅店，我可以为您做什么？", callback_minutes=20)
    login(page, live_server, "sun")
    page.goto(f"{live_server.url}/frontdesk/")

    page.click(f"[data-testid='line-{line.number}']")
    assert page.inner_text("[data-testid=greeting]") == "您好，小羔羊火锅店，我可以为您做什么？"
    assert not page.is_visible("[data-testid=apology]")
    page.click("[data-testid=rings-5]")
    page.wait_for_selector("[data-testid=apology]", state="visible")
    page.fill("#id_caller_name", "李女士")
    page.fill("#id_caller_number", "13900002222")
    page.click("[data-testid=kind-enquiry]")
    page.fill("#id_request", "问周六晚上有没有十人包间")
    page.click("[data-testid=confirmed]")
    page.click("[data-testid=outcome-callback]")
    assert "20" in page.inner_text("[data-testid=callback-hint]")
    page.click("[data-testid=save-call]")
    page.wait_for_selector("text=来电已登记。请在")

    callback = Callback.objects.get()
    assert callback.call.rings == 5
    assert callback.call.confirmed is True
    page.click("[data-testid=open-callbacks]")
    row = page.locator(f"[data-testid='callback-{callback.pk}']")
    assert "李女士" in row.inner_text()
    row.locator("input[name=note]").fill("已答复，有包间")
    page.click(f"[data-testid='callback-done-{callback.pk}']")
    page.wait_for_selector("text=已记为回电完成。")
    page.click("[data-testid=tab-done]")
    assert "按时回电" in page.locator(f"[data-testid='callback-{callback.pk}']").inner_text()
    callback.refresh_from_db()
    assert callback.done_at is not None
    assert callback.note == "已答复，有包间"
