"""The report centre: run now, follow progress, download, permissions, retry."""

import io

import pytest
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.reports import services
from apps.reports.models import ReportRun
from tests.factories import UserFactory
from tests.utils import assert_same_queries

from .factories import admin_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = admin_user(name="郑管理员")
    client.force_login(user)
    client.user = user
    return client


def test_report_centre_offers_the_reports_an_administrator_may_run(admin_client):
    page = admin_client.get("/reports/").content.decode()
    assert "报表中心" in page
    assert "用户与角色" in page
    assert "审计记录" in page
    assert "立即生成" in page


def test_run_now_returns_at_once_and_the_file_can_be_downloaded(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/reports/run/users/", {"users-include_inactive": "on"})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert response["Location"] == f"/reports/#run-{run.pk}"
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.requested_by == admin_client.user
    assert run.parameters == {"include_inactive": True}
    assert run.parameters_text == "包括已停用用户: 是"
    assert run.row_count == 1 + 9
    assert run.file_size > 0
    assert run.seconds is not None

    page = admin_client.get("/reports/").content.decode()
    assert "郑管理员" in page
    assert "已完成" in page
    assert "下载" in page

    download = admin_client.get(f"/reports/runs/{run.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="users-')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["用户"]["B2"].value == "郑管理员"


def test_a_queued_run_is_polled_until_it_is_ready(admin_client):
    run = services.report_run_request(kind_code="users", parameters={}, actor=admin_client.user)
    row = admin_client.get(f"/reports/runs/{run.pk}/").content.decode()
    assert "排队中" in row
    assert 'hx-trigger="every 2s"' in row
    services.report_run_execute(run_id=run.pk)
    row = admin_client.get(f"/reports/runs/{run.pk}/").content.decode()
    assert "已完成" in row
    assert "hx-trigger" not in row


def test_bad_parameters_are_explained_and_nothing_is_queued(admin_client):
    response = admin_client.post(
        "/reports/run/audit/", {"audit-period": "custom", "audit-date_from": "2026-03-05"}
    )
    assert response.status_code == 400
    assert "请填写期间的最后一天。" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_an_engineer_may_neither_run_nor_download_the_users_report(client):
    admin = admin_user()
    run = services.report_run_request(kind_code="users", parameters={}, actor=admin)
    services.report_run_execute(run_id=run.pk)
    client.force_login(UserFactory(roles=[Role.ENGINEER]))
    page = client.get("/reports/").content.decode()
    assert "功能调整与调整记录" in page
    assert "用户与角色" not in page
    assert client.post("/reports/run/users/", {}).status_code == 403
    assert client.get(f"/reports/runs/{run.pk}/download/").status_code == 403
    assert client.get(f"/reports/runs/{run.pk}/").status_code == 403
    assert ReportRun.objects.count() == 1


def test_someone_with_no_report_is_refused_the_centre(client):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.get("/reports/").status_code == 403


def test_the_service_refuses_a_run_to_someone_without_permission():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_run_request(
            kind_code="audit", parameters={}, actor=UserFactory(roles=[Role.SALES_REP])
        )


def test_runs_of_kinds_a_person_may_not_download_are_not_listed(client):
    admin = admin_user()
    services.report_run_request(kind_code="users", parameters={}, actor=admin)
    viewer = UserFactory()
    viewer.user_permissions.add(
        *__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission.objects.filter(
            codename="view_logentry"
        )
    )
    client.force_login(viewer)
    page = client.get("/reports/").content.decode()
    assert "审计记录" in page
    assert "还没有生成过报表。" in page


def test_a_failed_run_shows_its_error_and_can_be_retried(
    admin_client, flaky_kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/reports/run/flaky/", {})
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.FAILED
    assert "交换机数据暂不可用" in run.error
    assert not run.file
    page = admin_client.get("/reports/").content.decode()
    assert "失败" in page
    assert "交换机数据暂不可用" in page
    assert "重试" in page
    assert "生成失败的报表" in admin_client.get("/").content.decode()

    flaky_kind["fail"] = False
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/reports/runs/{run.pk}/retry/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert run.error == ""
    assert admin_client.get(f"/reports/runs/{run.pk}/download/").status_code == 200


def test_a_finished_run_cannot_be_retried(admin_client):
    run = services.report_run_request(kind_code="users", parameters={}, actor=admin_client.user)
    services.report_run_execute(run_id=run.pk)
    admin_client.post(f"/reports/runs/{run.pk}/retry/")
    page = admin_client.get("/reports/").content.decode()
    assert "只有失败的报表可以重试" in page


def test_executing_a_run_twice_keeps_one_file(admin_client, settings):
    run = services.report_run_request(kind_code="users", parameters={}, actor=admin_client.user)
    services.report_run_execute(run_id=run.pk)
    first = ReportRun.objects.get(pk=run.pk).file.name
    services.report_run_execute(run_id=run.pk)
    assert ReportRun.objects.get(pk=run.pk).file.name == first
    files = list((settings.MEDIA_ROOT / "reports").rglob("*.xlsx"))
    assert len(files) == 1


def test_the_runs_list_needs_the_same_queries_however_many_runs(admin_client):
    def add_rows(n):
        for _ in range(n):
            run = services.report_run_request(
                kind_code="audit", parameters={"period": "today"}, actor=admin_client.user
            )
            services.report_run_execute(run_id=run.pk)

    assert_same_queries(admin_client, "/reports/", add_rows)
