from django.db import migrations

from apps.core.schedules import ensure_crontab_task, remove_task

NAME = "逾期工单提醒 (overdue work-order reminder)"


def forwards(apps, schema_editor):
    ensure_crontab_task(apps, name=NAME, task="apps.workorders.tasks.orders_overdue_remind", minute="30", hour="8")


def backwards(apps, schema_editor):
    remove_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
