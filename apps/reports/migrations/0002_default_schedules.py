"""The retention task and the default schedules of the kinds that exist at this point.

Later kinds bring their own default schedules in later migrations.
"""

import datetime
import json

from django.db import migrations

TZ = "Asia/Shanghai"

# name, kind, parameters, frequency, time, weekday (1 = Monday), day of month, roles
DEFAULTS = [
    ("每周审计记录", "audit", {"period": "last_week"}, "weekly", datetime.time(8, 0), 1, None, ["administrator"]),
]


def _crontab(CrontabSchedule, minute, hour, day_of_week="*", day_of_month="*"):
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week=str(day_of_week),
        day_of_month=str(day_of_month),
        month_of_year="*",
        timezone=TZ,
    )
    return crontab


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReportSchedule = apps.get_model("reports", "ReportSchedule")
    PeriodicTask.objects.get_or_create(
        name="reports.purge",
        defaults={
            "task": "apps.reports.tasks.report_runs_purge",
            "crontab": _crontab(CrontabSchedule, 30, 3),
            "kwargs": "{}",
            "description": "Delete report files older than the retention period",
        },
    )
    for name, kind, params, frequency, time, weekday, day, roles in DEFAULTS:
        if ReportSchedule.objects.filter(name=name).exists():
            continue
        schedule = ReportSchedule.objects.create(
            name=name,
            kind=kind,
            parameters=params,
            frequency=frequency,
            time=time,
            weekday=weekday,
            day_of_month=day,
            recipient_roles=roles,
        )
        task = PeriodicTask.objects.create(
            name=f"reports.schedule.{schedule.pk}",
            task="apps.reports.tasks.report_schedule_fire",
            crontab=_crontab(
                CrontabSchedule,
                time.minute,
                time.hour,
                weekday % 7 if frequency == "weekly" else "*",
                day if frequency == "monthly" else "*",
            ),
            kwargs=json.dumps({"schedule_id": schedule.pk}),
            description=name,
        )
        schedule.periodic_task = task
        schedule.save(update_fields=["periodic_task"])


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReportSchedule = apps.get_model("reports", "ReportSchedule")
    names = [d[0] for d in DEFAULTS]
    PeriodicTask.objects.filter(name="reports.purge").delete()
    for schedule in ReportSchedule.objects.filter(name__in=names):
        if schedule.periodic_task_id:
            PeriodicTask.objects.filter(pk=schedule.periodic_task_id).delete()
        schedule.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
