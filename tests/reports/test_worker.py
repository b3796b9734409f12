"""A real Celery worker, through Redis, produces the files; the test downloads them."""

import io

import pytest
from openpyxl import load_workbook

from apps.reports.models import ReportRun
from apps.reports.tasks import report_schedule_fire
from tests.celery_worker import wait_for

from .factories import admin_user, schedule_create

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(monkeypatch, settings):
    """The worker writes where this test's web side reads."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


def _finished(pk):
    return ReportRun.objects.filter(pk=pk, status__in=["succeeded", "failed"]).first()


def test_run_now_is_produced_by_the_worker_and_downloaded(shared_media, celery_worker_process, client):
    admin = admin_user(name="郑管理员")
    client.force_login(admin)
    response = client.post("/reports/run/users/", {})
    assert response.status_code == 302
    run = ReportRun.objects.get()
    run = wait_for(lambda: _finished(run.pk), timeout=30)
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    download = client.get(f"/reports/runs/{run.pk}/download/")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["用户"]["B2"].value == "郑管理员"


def test_a_slot_delivered_twice_to_the_worker_yields_one_file(shared_media, celery_worker_process, settings):
    schedule = schedule_create()
    report_schedule_fire.delay(schedule_id=schedule.pk)
    report_schedule_fire.delay(schedule_id=schedule.pk)
    run = wait_for(
        lambda: ReportRun.objects.filter(schedule=schedule, delivered_at__isnull=False).first(), timeout=30
    )
    assert run.status == ReportRun.Status.SUCCEEDED
    assert ReportRun.objects.filter(schedule=schedule).count() == 1
    assert len(list((settings.MEDIA_ROOT / "reports").rglob("*.xlsx"))) == 1
