import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from apps.accounts.models import Role
from apps.core.models import Notification
from apps.core.services import notification_send
from tests.factories import DepartmentFactory, UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_unknown_address_gets_a_styled_chinese_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_address_404_in_english_for_an_english_user(client):
    client.force_login(UserFactory(language="en"))
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_admin_pages_are_refused_to_non_staff_without_error(client):
    client.force_login(UserFactory(roles=[Role.ENGINEER]))
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302  # the admin's own login page, never a 500


def test_navigation_shows_each_role_only_what_it_may_use(client):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    engineer = UserFactory(roles=[Role.ENGINEER])
    client.force_login(admin)
    assert "用户与角色" in client.get(reverse("core:home")).content.decode()
    client.force_login(engineer)
    assert "用户与角色" not in client.get(reverse("core:home")).content.decode()


def test_notification_reaches_users_groups_and_departments_once_each():
    dept = DepartmentFactory(code="eng")
    direct = UserFactory()
    engineer = UserFactory(roles=[Role.ENGINEER], department=dept)
    colleague = UserFactory(department=dept)
    UserFactory(roles=[Role.SALES_REP])
    created = notification_send(
        title="分机 %(number)s 已开通",
        params={"number": "8123"},
        users=[direct, engineer],
        groups=[Role.ENGINEER],
        departments=[dept],
    )
    assert sorted(n.recipient_id for n in created) == sorted([direct.pk, engineer.pk, colleague.pk])
    assert {n.title for n in created} == {"分机 8123 已开通"}


def test_notification_is_mailed_by_the_task_and_marked(django_capture_on_commit_callbacks):
    user = UserFactory(email="wang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(title="测试通知", body="内容", users=[user], url="/notifications/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.com"]
    assert "测试通知" in mail.outbox[0].subject
    assert Notification.objects.get(recipient=user).emailed_at is not None


def test_unread_count_in_navbar_and_mark_read(client):
    user = UserFactory()
    notification_send(title="一", users=[user], email=False)
    notification_send(title="二", users=[user], email=False)
    client.force_login(user)
    page = client.get(reverse("core:notifications")).content.decode()
    assert 'text-bg-warning">2<' in page
    client.post(reverse("core:notifications_read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_notifications_page_queries_do_not_grow_with_rows(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("core:notifications")

    def add(n):
        for i in range(n):
            notification_send(title=f"n{i}", users=[user], email=False)

    assert_same_queries(client, url, add)


def test_home_page_queries_do_not_grow_with_rows(client):
    user = UserFactory(roles=[Role.ENGINEER])
    client.force_login(user)

    def add(n):
        for i in range(n):
            notification_send(title=f"n{i}", users=[user], email=False)

    assert_same_queries(client, reverse("core:home"), add)


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_api_requires_authentication_and_accepts_a_token(client):
    assert client.get("/api/me/").status_code in (401, 403)
    user = UserFactory(roles=[Role.ENGINEER])
    token = Token.objects.create(user=user)
    response = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["roles"] == ["engineer"]


def test_openapi_schema_and_local_docs(client):
    client.force_login(UserFactory())
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/me/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert "cdn" not in docs.lower()


def test_production_configuration_passes_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "telroom.settings",
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "telroom.example.com",
        "TELROOM_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_seed_demo_is_idempotent_and_prints_logins():
    from io import StringIO

    from django.core.management import call_command

    from apps.accounts.models import User

    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = User.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == first
    text = out.getvalue()
    assert "engineer" in text
    assert "demonstrations only" in text
    assert set(Role.values) <= {g.name for u in User.objects.all() for g in u.groups.all()}


def test_audit_trail_keeps_who_changed_what_with_before_and_after():
    from apps.core.audit import audit_actor, audit_entries_for

    admin = UserFactory(username="admin1")
    old, new = DepartmentFactory(code="a", name="工程部"), DepartmentFactory(code="b", name="销售部")
    user = UserFactory(department=old)
    with audit_actor(admin):
        user.department = new
        user.save()
    entry = audit_entries_for(user).first()
    assert entry.actor == admin
    assert entry.changes_dict["department"] == [str(old.pk), str(new.pk)]


def test_default_schedules_exist_after_migrate():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="apps.core.tasks.notifications_prune")
    assert task.crontab.timezone.key == "Asia/Shanghai"


def test_without_redis_beat_runs_a_due_task_in_its_own_process(settings):
    """The embedded set-up: beat applies each due entry eagerly, so schedules work with no broker."""
    import datetime

    from celery.beat import ScheduleEntry, Scheduler
    from django.utils import timezone

    from telroom.celery import app

    user = UserFactory()
    old = Notification.objects.create(recipient=user, title="旧通知")
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now() - datetime.timedelta(days=400))
    keep = Notification.objects.create(recipient=user, title="未读")
    assert app.conf.task_always_eager
    scheduler = Scheduler(app, lazy=True)
    entry = ScheduleEntry(name="prune", task="apps.core.tasks.notifications_prune", schedule=60, app=app)
    scheduler.apply_async(entry)
    assert list(Notification.objects.values_list("pk", flat=True)) == [keep.pk]
