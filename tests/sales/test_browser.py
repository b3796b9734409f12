import pytest
from django.utils import timezone

from apps.sales.models import CalendarDay
from tests.browser import login

from .factories import make_rep, make_supervisor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_logs_calls_and_a_follow_up_then_supervisor_approves_a_visit(live_server, page):
    # Whatever day the suite runs on, make it a working day.
    CalendarDay.objects.create(date=timezone.localdate(), is_working=True, name="测试")
    supervisor = make_supervisor()
    make_rep(username="liu", name="刘销售", supervisor=supervisor)

    login(page, live_server, "liu")
    page.goto(f"{live_server.url}/sales/")
    assert page.inner_text("[data-testid=calls-count]") == "0 / 120"
    for count, number in enumerate(("13800138000", "010-12345678"), start=1):
        page.fill("#id_number", number)
        page.select_option("#id_outcome", "conversation")
        page.fill("#id_talk_seconds", "65")
        page.click("[data-testid=call-submit]")
        # Logged inline: the form comes back empty and the progress bar moves without a reload.
        page.wait_for_selector(f"[data-testid=calls-count]:text-is('{count} / 120')")
        page.wait_for_selector(f"#latest-calls >> text={number}")
    assert page.input_value("#id_number") == ""
    assert "width: 2%" in page.get_attribute("[data-testid=calls-bar]", "style")

    page.click("[data-testid=new-follow-up]")
    page.fill("#id_contact_person", "张经理")
    page.fill("#id_company_name", "华东贸易有限公司")
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_content", "介绍集团电话套餐，约下周演示")
    page.select_option("#id_category", "intent")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=该客户计入今天")
    assert page.inner_text("[data-testid=customers-count]") == "1 / 25"

    page.goto(f"{live_server.url}/sales/absences/")
    page.select_option("#id_kind", "visit")
    page.fill("#id_day", timezone.localdate().isoformat())
    page.fill("#id_hours", "4")
    page.fill("#id_customer", "华东贸易有限公司")
    page.fill("#id_purpose", "上门演示")
    page.click("[data-testid=absence-submit]")
    page.wait_for_selector("text=申请已提交给主管")

    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    login(page, live_server, "chen")
    page.goto(f"{live_server.url}/sales/board/")
    assert "2 / 120" in page.inner_text("[data-testid=board]")
    page.goto(f"{live_server.url}/sales/approvals/")
    page.click("[data-testid=approve]")
    page.wait_for_selector("text=审批已记录")
    page.goto(f"{live_server.url}/sales/board/")
    # ceil(120 × (8 − 4) / 8) = 60
    assert "2 / 60" in page.inner_text("[data-testid=board]")
