from celery import shared_task

from . import services


@shared_task
def orders_overdue_remind() -> int:
    """Each morning: remind engineers and dispatchers of orders past their wanted date."""
    return services.orders_overdue_remind()
