from django.db import migrations

TARGETS = {"critical": (15, 240), "major": (60, 1440), "minor": (240, 4320)}
TASK_NAME = "faults: escalate overdue faults"


def create(apps, schema_editor):
    ResponseTarget = apps.get_model("faults", "ResponseTarget")
    for severity, (respond, restore) in TARGETS.items():
        ResponseTarget.objects.get_or_create(
            severity=severity, defaults={"respond_minutes": respond, "restore_minutes": restore}
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "faults.escalate_overdue",
            "crontab": every_five,
            "enabled": True,
            "description": "Notify engineers, then the chief engineer, of faults past their response or restore target.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("faults", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
