from celery import shared_task

from . import services


@shared_task
def function_change_reminders() -> dict[str, int]:
    """Send the daily reminders about waiting approvals and overdue approved changes."""
    return services.function_change_send_reminders()
