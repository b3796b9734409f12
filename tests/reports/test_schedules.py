"""Schedules: managed in the pages, fired by beat, one file per slot, delivered by mail and inbox."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask

from apps.accounts.models import Role
from apps.accounts.services import department_get_or_create
from apps.core.models import Notification
from apps.reports import services
from apps.reports.models import ReportRun, ReportSchedule
from apps.reports.tasks import report_runs_purge, report_schedule_fire
from tests.factories import UserFactory
from tests.utils import assert_same_queries

from .factories import admin_user, schedule_create

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_an_administrator_creates_a_weekly_schedule_in_the_page(client):
    admin = admin_user()
    client.force_login(admin)
    sales = department_get_or_create(code="sales", name="销售部")
    response = client.post(
        "/reports/schedules/new/",
        {
            "name": "每周用户清单",
            "kind": "users",
            "p-department": sales.pk,
            "frequency": "weekly",
            "time": "18:30",
            "weekday": "6",
            "recipient_roles": [Role.ADMINISTRATOR],
            "recipient_departments": [sales.pk],
            "recipient_addresses": "hr@example.com\npayroll@example.com",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    schedule = ReportSchedule.objects.get(name="每周用户清单")
    assert schedule.parameters == {"department": sales.pk}
    assert schedule.addresses == ["hr@example.com", "payroll@example.com"]
    task = schedule.periodic_task
    assert task.task == "apps.reports.tasks.report_schedule_fire"
    assert json.loads(task.kwargs) == {"schedule_id": schedule.pk}
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month) == ("30", "18", "6", "*")
    assert str(crontab.timezone) == "Asia/Shanghai"
    page = client.get("/reports/schedules/").content.decode()
    assert "每周用户清单" in page
    assert "每星期六 18:30" in page
    assert "hr@example.com" in page


def test_a_schedule_form_explains_what_is_missing(client):
    client.force_login(admin_user())
    response = client.post(
        "/reports/schedules/new/",
        {
            "name": "月报",
            "kind": "audit",
            "p-period": "last_month",
            "frequency": "monthly",
            "time": "08:00",
            "day_of_month": "31",
            "recipient_addresses": "not-an-address",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 1 行：“not-an-address”不是有效的邮件地址。" in page
    assert "每月计划需要指定 1 至 28 号中的一天。" in page
    assert not ReportSchedule.objects.filter(name="月报").exists()


def test_changing_a_schedule_moves_its_beat_entry_and_deleting_removes_it(client):
    schedule = schedule_create()
    client.force_login(admin_user())
    response = client.post(
        f"/reports/schedules/{schedule.pk}/",
        {
            "name": "每月审计记录",
            "kind": "audit",
            "p-period": "last_month",
            "frequency": "monthly",
            "time": "06:05",
            "day_of_month": "1",
            "recipient_roles": [Role.ADMINISTRATOR],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    crontab = schedule.periodic_task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week, crontab.day_of_month) == ("5", "6", "*", "1")
    assert schedule.parameters == {"period": "last_month"}
    task_pk = schedule.periodic_task.pk
    client.post(f"/reports/schedules/{schedule.pk}/delete/")
    assert not ReportSchedule.objects.filter(pk=schedule.pk).exists()
    assert not PeriodicTask.objects.filter(pk=task_pk).exists()


def test_schedules_are_for_administrators_only(client):
    schedule = schedule_create()
    client.force_login(UserFactory(roles=[Role.ENGINEER]))
    assert client.get("/reports/schedules/").status_code == 403
    assert client.get(f"/reports/schedules/{schedule.pk}/").status_code == 403
    assert client.post(f"/reports/schedules/{schedule.pk}/delete/").status_code == 403
    assert ReportSchedule.objects.exists()


def test_the_schedules_list_needs_the_same_queries_however_many(client):
    client.force_login(admin_user())
    admin = admin_user(username="owner")
    counter = iter(range(1000))

    def add_rows(n):
        for _ in range(n):
            schedule_create(actor=admin, name=f"计划{next(counter)}", recipient_users=[admin])

    assert_same_queries(client, "/reports/schedules/", add_rows)


def test_a_schedule_firing_yields_one_run_mailed_with_the_file_and_notified(
    django_capture_on_commit_callbacks,
):
    admin = admin_user(email="admin@example.com")
    schedule = schedule_create(actor=admin, recipient_addresses="boss@example.com")
    slot = datetime.datetime(2026, 3, 3, 7, 30, tzinfo=SHANGHAI)
    with (
        time_machine.travel(slot + datetime.timedelta(seconds=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report_schedule_fire.delay(schedule_id=schedule.pk)
    run = ReportRun.objects.get()
    assert run.schedule == schedule
    assert run.slot == slot
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.parameters_text == "期间: 昨天"
    assert run.delivered_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.bcc) == ["admin@example.com", "boss@example.com"]
    assert "审计记录" in message.subject
    assert "2026-03-03" in message.subject
    assert "报表文件见附件。" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name.startswith("audit-trail-20260303-0730")
    assert content[:2] == b"PK"
    assert Notification.objects.filter(recipient=admin, title="报表已生成：审计记录").exists()


def test_the_same_slot_delivered_twice_yields_one_file(settings, django_capture_on_commit_callbacks):
    schedule = schedule_create()
    slot = datetime.datetime(2026, 3, 3, 7, 30, tzinfo=SHANGHAI)
    for late in (1, 90):  # the second delivery arrives a minute and a half later
        with (
            time_machine.travel(slot + datetime.timedelta(seconds=late), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            report_schedule_fire.delay(schedule_id=schedule.pk)
    assert ReportRun.objects.count() == 1
    assert len(list((settings.MEDIA_ROOT / "reports").rglob("*.xlsx"))) == 1
    assert len(mail.outbox) == 1
    # The next day is a new slot.
    with (
        time_machine.travel(slot + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report_schedule_fire.delay(schedule_id=schedule.pk)
    assert ReportRun.objects.count() == 2


def test_a_task_arriving_slightly_before_its_slot_still_counts_for_that_slot():
    schedule = schedule_create(frequency="weekly", weekday=6, time=datetime.time(18, 0))
    early = datetime.datetime(2026, 3, 7, 17, 58, tzinfo=SHANGHAI)  # a Saturday, two minutes early
    assert services.schedule_slot(schedule, early + services.SLOT_TOLERANCE) == datetime.datetime(
        2026, 3, 7, 18, 0, tzinfo=SHANGHAI
    )
    monthly = schedule_create(name="月报", frequency="monthly", day_of_month=1, time=datetime.time(8, 0))
    assert services.schedule_slot(
        monthly, datetime.datetime(2026, 3, 20, tzinfo=SHANGHAI)
    ) == datetime.datetime(2026, 3, 1, 8, 0, tzinfo=SHANGHAI)


def test_a_file_above_the_limit_is_mailed_as_a_link(settings, django_capture_on_commit_callbacks):
    settings.TELROOM_REPORT_ATTACH_MAX_BYTES = 100
    admin = admin_user(email="admin@example.com")
    schedule = schedule_create(actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_schedule_fire(schedule_id=schedule.pk)
    message = mail.outbox[0]
    assert not message.attachments
    assert f"/reports/runs/{run.pk}/download/" in message.body


def test_a_disabled_schedule_does_not_fire():
    schedule = schedule_create(enabled=False)
    assert not schedule.periodic_task.enabled
    assert services.report_schedule_fire(schedule_id=schedule.pk) is None
    assert not ReportRun.objects.exists()


def test_files_older_than_the_retention_period_are_deleted(settings):
    admin = admin_user()
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        old = services.report_run_request(kind_code="users", parameters={}, actor=admin)
        services.report_run_execute(run_id=old.pk)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        recent = services.report_run_request(kind_code="users", parameters={}, actor=admin)
        services.report_run_execute(run_id=recent.pk)
    old_path = ReportRun.objects.get(pk=old.pk).file.path
    with time_machine.travel(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert report_runs_purge.delay().get() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file
    assert old.file_deleted_at is not None
    assert recent.file
    assert recent.downloadable
    import os

    assert not os.path.exists(old_path)
    assert PeriodicTask.objects.filter(task="apps.reports.tasks.report_runs_purge", enabled=True).exists()


def test_a_run_a_lost_worker_left_running_is_marked_failed_and_can_be_retried(client):
    admin = admin_user()
    start = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        run = services.report_run_request(kind_code="users", parameters={}, actor=admin)
        ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.RUNNING, started_at=start)
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
        assert services.report_runs_fail_stale() == 0
    with time_machine.travel(start + datetime.timedelta(hours=4), tick=False):
        assert services.report_runs_fail_stale() == 1
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    client.force_login(admin)
    assert "报表生成中断" in client.get("/reports/").content.decode()
    services.report_run_retry(run=run, actor=admin)
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED


def test_every_default_schedule_names_a_report_that_exists_with_valid_parameters():
    from apps.reports.registry import kind_get

    defaults = list(ReportSchedule.objects.all())
    assert {s.kind for s in defaults} >= {"jumper_history", "faults", "work_orders", "distribution_table"}
    for schedule in defaults:
        kind = kind_get(schedule.kind)
        assert kind is not None, schedule.name
        assert services.parameters_clean(kind=kind, data=schedule.parameters) == schedule.parameters
        assert schedule.periodic_task.enabled


def test_choosing_another_report_in_the_schedule_form_shows_its_parameters(client):
    client.force_login(admin_user())
    page = client.get("/reports/schedules/new/?kind=users").content.decode()
    assert 'name="p-include_inactive"' in page
    assert 'name="p-period"' not in page
    page = client.get("/reports/schedules/new/?kind=audit").content.decode()
    assert 'name="p-period"' in page


def test_a_schedule_saved_in_the_admin_gets_its_beat_entry(client):
    admin = admin_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/reports/reportschedule/add/",
        {
            "name": "后台计划",
            "kind": "audit",
            "parameters": '{"period": "yesterday"}',
            "frequency": "daily",
            "time": "06:15",
            "recipient_roles": '["administrator"]',
            "recipient_users": [admin.pk],
            "recipient_addresses": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = ReportSchedule.objects.get(name="后台计划")
    assert list(schedule.recipient_users.all()) == [admin]
    assert schedule.periodic_task.crontab.hour == "6"
    assert schedule.periodic_task.crontab.minute == "15"
