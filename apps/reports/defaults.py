"""Create default report schedules from data migrations, with their beat entries.

Only for kinds that exist when the migration is written; each later kind brings its
own defaults in a later migration. A schedule an administrator has since changed or
deleted is left alone (looked up by name).
"""

import json

TZ = "Asia/Shanghai"
FIRE_TASK = "apps.reports.tasks.report_schedule_fire"


def ensure_schedule(
    apps,
    *,
    name: str,
    kind: str,
    parameters: dict,
    frequency: str,
    time,
    weekday: int | None = None,
    day_of_month: int | None = None,
    roles: list[str] = (),
) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReportSchedule = apps.get_model("reports", "ReportSchedule")
    if ReportSchedule.objects.filter(name=name).exists():
        return
    schedule = ReportSchedule.objects.create(
        name=name,
        kind=kind,
        parameters=parameters,
        frequency=frequency,
        time=time,
        weekday=weekday if frequency == "weekly" else None,
        day_of_month=day_of_month if frequency == "monthly" else None,
        recipient_roles=list(roles),
    )
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(time.minute),
        hour=str(time.hour),
        day_of_week=str(weekday % 7) if frequency == "weekly" else "*",
        day_of_month=str(day_of_month) if frequency == "monthly" else "*",
        month_of_year="*",
        timezone=TZ,
    )
    schedule.periodic_task = PeriodicTask.objects.create(
        name=f"reports.schedule.{schedule.pk}",
        task=FIRE_TASK,
        crontab=crontab,
        kwargs=json.dumps({"schedule_id": schedule.pk}),
        description=name,
    )
    schedule.save(update_fields=["periodic_task"])


def remove_schedule(apps, *, name: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    ReportSchedule = apps.get_model("reports", "ReportSchedule")
    for schedule in ReportSchedule.objects.filter(name=name):
        if schedule.periodic_task_id:
            PeriodicTask.objects.filter(pk=schedule.periodic_task_id).delete()
        schedule.delete()
