"""The retention task and the default schedules of the kinds that exist at this point."""

import datetime

from django.db import migrations

from apps.core.schedules import ensure_crontab_task, remove_task
from apps.reports.defaults import ensure_schedule, remove_schedule

PURGE = "清理过期报表文件 (delete report files past retention)"
STALE = "标记中断的报表 (fail report runs a lost worker left behind)"
AUDIT = "每周审计记录"


def forwards(apps, schema_editor):
    ensure_crontab_task(apps, name=PURGE, task="apps.reports.tasks.report_runs_purge", minute="40", hour="3")
    ensure_crontab_task(apps, name=STALE, task="apps.reports.tasks.report_runs_fail_stale", minute="*/15")
    ensure_schedule(
        apps,
        name=AUDIT,
        kind="audit",
        parameters={"period": "last_week"},
        frequency="weekly",
        time=datetime.time(8, 0),
        weekday=1,
        roles=["administrator"],
    )


def backwards(apps, schema_editor):
    remove_task(apps, name=PURGE)
    remove_task(apps, name=STALE)
    remove_schedule(apps, name=AUDIT)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
