"""Celery doors to the reports services. Each task takes ids and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def report_run_execute(self, *, run_id: int) -> int | None:
    """Produce one run's file; transient failures are retried with exponential back-off."""
    try:
        run = services.report_run_execute(run_id=run_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.report_run_fail(run_id=run_id, error=f"{exc.__class__.__name__}: {exc}")
            return None
        raise self.retry(exc=exc, countdown=min(600, 15 * 2**self.request.retries)) from exc
    return run.pk if run else None


@shared_task(acks_late=True, autoretry_for=services.TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def report_schedule_fire(*, schedule_id: int) -> int | None:
    """Beat's entry point for one schedule: the current slot's run, created once."""
    run = services.report_schedule_fire(schedule_id=schedule_id)
    return run.pk if run else None


@shared_task(
    acks_late=True,
    autoretry_for=(*services.TRANSIENT_ERRORS, OSError),
    retry_backoff=True,
    max_retries=5,
)
def report_run_deliver(*, run_id: int) -> int:
    """Mail and notify a scheduled run's recipients, once."""
    return services.report_run_deliver(run_id=run_id)


@shared_task(acks_late=True)
def report_runs_purge() -> int:
    """Delete report files older than the retention period."""
    return services.report_runs_purge()


@shared_task(acks_late=True)
def report_runs_fail_stale() -> int:
    """Mark failed the runs a lost worker left behind, so they can be retried."""
    return services.report_runs_fail_stale()
