from django.db import migrations

from apps.core.schedules import ensure_crontab_task, remove_task

NAME = "清理已读通知 (prune read notifications)"


def forwards(apps, schema_editor):
    ensure_crontab_task(apps, name=NAME, task="apps.core.tasks.notifications_prune", minute="30", hour="3")


def backwards(apps, schema_editor):
    remove_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
