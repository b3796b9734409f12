import pytest
from openpyxl import load_workbook

from apps.reports import services
from apps.reports.models import ReportRun
from tests.browser import login

from .factories import admin_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_a_report_follow_it_and_download_the_file(live_server, page, tmp_path):
    admin = admin_user(username="zheng", name="郑管理员")
    login(page, live_server, "zheng")
    page.goto(f"{live_server.url}/reports/")
    page.click("[data-testid=run-users]")
    row = page.locator("[data-testid=run-row]").first
    row.locator("[data-testid=download]").wait_for()
    assert row.get_attribute("data-status") == "succeeded"
    with page.expect_download() as info:
        row.locator("[data-testid=download]").click()
    path = tmp_path / "users.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename.startswith("users-")
    assert load_workbook(path)["用户"]["B2"].value == "郑管理员"

    # A run still waiting for a worker is followed on the page until its file is ready.
    waiting = ReportRun.objects.create(
        kind="users", parameters={}, parameters_key=services.parameters_key({}), requested_by=admin
    )
    page.goto(f"{live_server.url}/reports/")
    assert page.get_attribute(f"#run-{waiting.pk}", "data-status") == "queued"
    services.report_run_execute(run_id=waiting.pk)
    page.wait_for_selector(f"#run-{waiting.pk}[data-status=succeeded] [data-testid=download]", timeout=10000)
