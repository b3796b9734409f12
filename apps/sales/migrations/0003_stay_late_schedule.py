import json

from django.db import migrations

NAME = "sales: stay-late notices after the end of work"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="18", day_of_week="1-6", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": "apps.sales.tasks.stay_late_notices_task", "crontab": crontab, "kwargs": json.dumps({})},
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_defaults_and_schedules")]

    operations = [migrations.RunPython(create, remove)]
