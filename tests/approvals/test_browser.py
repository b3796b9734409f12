import pytest

from apps.accounts.models import Role
from apps.approvals.models import AdjustmentRecord, FunctionChange
from tests.browser import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_submits_and_chief_engineer_approves_in_another_session(live_server, page, browser):
    UserFactory(username="wang", name="王工", roles=[Role.ENGINEER])
    UserFactory(username="li", name="李总工", roles=[Role.CHIEF_ENGINEER])

    # The engineer drafts and submits a request.
    login(page, live_server, "wang")
    page.goto(f"{live_server.url}/approvals/new/")
    page.fill("input[name=title]", "前台分机无人接听转移")
    page.select_option("select[name=kind]", "call_forwarding")
    page.select_option("select[name=target_scope]", "extensions")
    page.fill("input[name=target_extensions]", "8300")
    page.fill("textarea[name=current_value]", "无转移")
    page.fill("textarea[name=wanted_value]", "无人接听 20 秒转 8301")
    page.fill("textarea[name=reason]", "前台忙时漏接")
    page.fill("input[name=planned_start]", "2030-01-05T22:00")
    page.fill("input[name=planned_end]", "2030-01-05T23:00")
    page.fill("textarea[name=steps]", "维护台设置呼叫转移")
    page.fill("textarea[name=rollback_plan]", "取消转移")
    page.click("[data-testid=submit]")
    page.wait_for_selector("text=已提交审批")
    change = FunctionChange.objects.get()
    assert page.inner_text("[data-testid=status]") == "待审批"

    # The chief engineer, in a separate browser session, sees it waiting and approves it.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    chief_page = context.new_page()
    try:
        login(chief_page, live_server, "li")
        assert "前台分机无人接听转移" in chief_page.inner_text("main")
        chief_page.goto(f"{live_server.url}/approvals/queue/")
        chief_page.click(f"[data-testid=decide-{change.pk}]")
        chief_page.check("input[name=decision][value=approve]")
        chief_page.fill("textarea[name=comment]", "同意，夜间实施")
        chief_page.click("[data-testid=decide-submit]")
        chief_page.wait_for_selector(f"text=申请 {change.code} 已批准")
        assert "没有待您审批的申请" in chief_page.inner_text("main")
    finally:
        context.close()

    # The engineer is told, and can now implement it.
    page.goto(f"{live_server.url}/notifications/")
    assert f"功能调整 {change.code} 已批准" in page.inner_text("main")
    page.goto(f"{live_server.url}{change.get_absolute_url()}")
    assert page.inner_text("[data-testid=status]") == "已批准"
    assert "同意，夜间实施" in page.inner_text("[data-testid=decision]")
    page.click("[data-testid=implement]")
    page.fill("textarea[name=notes]", "已设置并拨测")
    page.click("[data-testid=implement-submit]")
    page.wait_for_selector("text=已写入调整记录")
    assert AdjustmentRecord.objects.get().request_id == change.pk
