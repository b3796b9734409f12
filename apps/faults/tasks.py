from celery import shared_task


@shared_task(name="faults.escalate_overdue")
def faults_escalate_overdue_task() -> int:
    """Escalate overdue faults; each (fault, target, stage) is notified once however often this runs."""
    from .services import faults_escalate_overdue

    return len(faults_escalate_overdue())
