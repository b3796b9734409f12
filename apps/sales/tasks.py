from celery import shared_task

from . import services


@shared_task(acks_late=True)
def quota_close_due_task() -> int:
    """Close every quota day that is due; safe to run twice."""
    return services.quota_close_due()


@shared_task(acks_late=True)
def quota_days_close_task(*, day: str) -> int:
    import datetime

    return services.quota_days_close(day=datetime.date.fromisoformat(day))


@shared_task(acks_late=True)
def work_record_reminders_task() -> int:
    return services.work_record_reminders_send()


@shared_task(acks_late=True)
def weekly_plan_reminders_task() -> int:
    return services.weekly_plan_reminders_send()


@shared_task(acks_late=True)
def stay_late_notices_task() -> int:
    """After the end of work: who is still short must stay (REGULATIONS part 3, rule 5)."""
    from django.utils import timezone

    from .selectors import work_calendar

    today = timezone.localdate()
    if not work_calendar(start=today, end=today).is_working_day(today):
        return 0
    return services.stay_late_notices_send(day=today)
