from celery import shared_task

from .services import callbacks_notify_overdue


@shared_task
def callbacks_overdue_notify() -> int:
    """Tell the shift leaders about callbacks that have just become overdue (once each)."""
    return callbacks_notify_overdue()
