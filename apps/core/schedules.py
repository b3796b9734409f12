"""Create default django-celery-beat schedules from data migrations (any app may use this)."""

import json


def ensure_crontab_task(
    apps,
    *,
    name: str,
    task: str,
    minute="0",
    hour="*",
    day_of_week="*",
    day_of_month="*",
    month_of_year="*",
    kwargs: dict | None = None,
) -> None:
    """Create the periodic task ``name`` unless it exists (an administrator may have changed it)."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=name).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week=str(day_of_week),
        day_of_month=str(day_of_month),
        month_of_year=str(month_of_year),
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.create(name=name, task=task, crontab=schedule, kwargs=json.dumps(kwargs or {}))


def remove_task(apps, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
