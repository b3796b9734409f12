"""Reads of the reports app."""

from django.db.models import QuerySet

from .models import ReportRun, ReportSchedule
from .registry import kinds_downloadable_by


def report_run_list(*, user, kind: str | None = None) -> QuerySet[ReportRun]:
    """Return the runs of the kinds ``user`` may download, newest first."""
    codes = [k.code for k in kinds_downloadable_by(user)]
    runs = ReportRun.objects.filter(kind__in=codes)
    if kind:
        runs = runs.filter(kind=kind)
    return runs.select_related("requested_by", "schedule").order_by("-created_at", "-pk")


def report_run_get(*, pk: int) -> ReportRun:
    return ReportRun.objects.select_related("requested_by", "schedule").get(pk=pk)


def report_schedule_list() -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.prefetch_related("recipient_users", "recipient_departments").order_by(
        "name"
    )


def report_run_failed_count(*, user, since) -> int:
    codes = [k.code for k in kinds_downloadable_by(user)]
    return ReportRun.objects.filter(
        kind__in=codes, status=ReportRun.Status.FAILED, created_at__gte=since
    ).count()
