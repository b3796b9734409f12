"""The default rule set (DESIGN.md's numbers) and the periodic jobs: day close and reminders."""

import datetime
import json

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour, day_of_week)
    ("sales: close due quota days", "apps.sales.tasks.quota_close_due_task", ("*/10", "*", "*")),
    ("sales: work-record reminder", "apps.sales.tasks.work_record_reminders_task", ("30", "17", "1-6")),
    ("sales: weekly-plan reminder", "apps.sales.tasks.weekly_plan_reminders_task", ("0", "16", "6")),
]


def create(apps, schema_editor):
    RuleSet = apps.get_model("sales", "RuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(effective_from=datetime.date(2000, 1, 1), note="默认规则（DESIGN.md）")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, dow) in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=dow, day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": json.dumps({})}
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _cron in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
