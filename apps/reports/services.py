"""Writes of the reports app: requesting, producing, retrying, delivering and purging runs; schedules."""

import datetime
import hashlib
import json
import logging
import os
import tempfile
import time
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.audit import audit_actor
from apps.core.services import notification_send

from .models import ReportRun, ReportSchedule
from .registry import ReportKind, kind_get, parameters_to_json
from .writer import ReportWriter

logger = logging.getLogger(__name__)

# Errors worth trying again later (the database or the network was away), with back-off.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
SCHEDULE_TASK = "apps.reports.tasks.report_schedule_fire"
# A fire task that reaches a worker a little before its slot (clocks differ) still belongs to that slot.
SLOT_TOLERANCE = datetime.timedelta(minutes=5)


def retention_days() -> int:
    return int(getattr(settings, "TELROOM_REPORT_RETENTION_DAYS", 180))


def attachment_max_bytes() -> int:
    return int(getattr(settings, "TELROOM_REPORT_ATTACH_MAX_BYTES", 10 * 1024 * 1024))


def parameters_key(parameters: dict) -> str:
    """Return a stable fingerprint of the parameters (the same dict in any key order gives the same key)."""
    canonical = json.dumps(parameters, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _kind_or_error(code: str) -> ReportKind:
    kind = kind_get(code)
    if kind is None:
        raise ValidationError({"kind": _("There is no report called “%(kind)s”.") % {"kind": code}})
    return kind


def parameters_clean(*, kind: ReportKind, data: dict) -> dict:
    """Validate parameters with the kind's form; return them as JSON or raise ValidationError."""
    form = kind.parameters_form(data=data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return parameters_to_json(form.cleaned_data)


def _enqueue_execute(run: ReportRun) -> None:
    from .tasks import report_run_execute

    transaction.on_commit(partial(report_run_execute.delay, run_id=run.pk))


@transaction.atomic
def report_run_request(*, kind_code: str, parameters: dict, actor) -> ReportRun:
    """Queue a run of ``kind_code`` for ``actor`` and return at once; a worker makes the file."""
    kind = _kind_or_error(kind_code)
    if not kind.can_run(actor):
        raise PermissionDenied(_("You may not run this report."))
    parameters = parameters_clean(kind=kind, data=parameters)
    run = ReportRun.objects.create(
        kind=kind.code,
        parameters=parameters,
        parameters_key=parameters_key(parameters),
        parameters_text=kind.describe_text(parameters)[:500],
        requested_by=actor,
    )
    _enqueue_execute(run)
    return run


@transaction.atomic
def report_run_retry(*, run: ReportRun, actor) -> ReportRun:
    """Queue a failed run again; it keeps its slot, so a scheduled slot still yields one file."""
    kind = _kind_or_error(run.kind)
    if not kind.can_run(actor):
        raise PermissionDenied(_("You may not run this report."))
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ReportRun.Status.FAILED:
        raise ValidationError(
            _("Only a failed run can be retried; this one is “%(status)s”.")
            % {"status": run.get_status_display()}
        )
    run.status = ReportRun.Status.QUEUED
    run.error = ""
    run.save(update_fields=["status", "error"])
    _enqueue_execute(run)
    return run


def _report_title(kind: ReportKind) -> str:
    return str(kind.label)


def _reference_moment(run: ReportRun) -> datetime.datetime:
    return run.slot or run.created_at


def report_build(
    *, kind: ReportKind, parameters: dict, target, today=None, on_progress=None, user=None
) -> int:
    """Write the workbook of ``kind`` into ``target`` (a path or file); return the data rows written."""
    writer = ReportWriter(
        title=_report_title(kind),
        parameters=kind.describe(parameters),
        on_progress=on_progress,
        today=today,
        user=user,
    )
    try:
        kind.build(writer, parameters)
    except BaseException:
        writer.discard()
        raise
    rows = writer.finish()
    writer.save(target)
    return rows


def _file_name(kind: ReportKind, run: ReportRun) -> str:
    moment = timezone.localtime(_reference_moment(run))
    base = kind.filename or kind.code
    return f"{base}-{moment:%Y%m%d-%H%M}-{run.pk}.xlsx"


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Produce the file of one run; safe to call again for the same run (delivered twice, retried).

    The workbook is written to a temporary file outside any transaction; the run is then
    locked and only the first attempt to finish attaches its file, so a run never gets two.
    Transient errors (database, storage) propagate for the task to retry with back-off; any
    other error is recorded on the run, which can then be retried from the report centre.
    """
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (ReportRun.Status.SUCCEEDED, ReportRun.Status.FAILED):
            return run
        run.status = ReportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.attempts += 1
        run.row_count = 0
        run.save(update_fields=["status", "started_at", "attempts", "row_count"])
    kind = kind_get(run.kind)
    if kind is None:
        return report_run_fail(run_id=run.pk, error=_("This report is no longer available."))

    def progress(rows: int) -> None:
        ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(row_count=rows)

    started = time.monotonic()
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="telroom-report-")
    os.close(handle)
    try:
        language = settings.LANGUAGE_CODE
        if run.requested_by_id and run.requested_by.language:
            language = run.requested_by.language
        with translation.override(language):
            rows = report_build(
                kind=kind,
                parameters=run.parameters,
                target=path,
                today=timezone.localdate(_reference_moment(run)),
                on_progress=progress,
                user=run.requested_by,
            )
        seconds = time.monotonic() - started
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=run.pk)
            if run.status == ReportRun.Status.SUCCEEDED:
                return run  # another delivery of the same task finished first: keep its file only
            with open(path, "rb") as fh:
                run.file.save(_file_name(kind, run), File(fh), save=False)
            run.file_size = os.path.getsize(path)
            run.status = ReportRun.Status.SUCCEEDED
            run.row_count = rows
            run.seconds = round(seconds, 3)
            run.finished_at = timezone.now()
            run.error = ""
            run.save()
            if run.schedule_id:
                from .tasks import report_run_deliver

                # robust: the file is made whatever happens to the mail; delivery retries on its own.
                transaction.on_commit(partial(report_run_deliver.delay, run_id=run.pk), robust=True)
        return run
    except TRANSIENT_ERRORS:
        ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
            status=ReportRun.Status.QUEUED
        )
        raise
    except Exception as exc:
        logger.exception("report run %s failed", run.pk)
        return report_run_fail(run_id=run.pk, error=f"{exc.__class__.__name__}: {exc}")
    finally:
        if os.path.exists(path):
            os.unlink(path)


@transaction.atomic
def report_run_fail(*, run_id: int, error: str) -> ReportRun | None:
    """Record that a run failed and why, unless it has already succeeded."""
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status == ReportRun.Status.SUCCEEDED:
        return run
    run.status = ReportRun.Status.FAILED
    run.error = str(error)[:4000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


# --- Delivery -------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


@transaction.atomic
def report_run_deliver(*, run_id: int) -> int:
    """Mail a scheduled run's file to its schedule's recipients and notify them in the app, once.

    Files above the attachment limit are mailed as a link instead. Return the number of
    mail addresses written to.
    """
    from apps.accounts.selectors import user_recipients

    run = (
        ReportRun.objects.select_for_update(of=("self",)).select_related("schedule").filter(pk=run_id).first()
    )
    if run is None or run.delivered_at or run.status != ReportRun.Status.SUCCEEDED or not run.schedule:
        return 0
    schedule = run.schedule
    kind = kind_get(run.kind)
    users = user_recipients(
        users=list(schedule.recipient_users.values_list("pk", flat=True)),
        groups=schedule.recipient_roles,
        departments=list(schedule.recipient_departments.values_list("pk", flat=True)),
    )
    addresses = [u.email for u in users if u.email]
    for address in schedule.addresses:
        if address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    link = _absolute(run.get_download_url())
    label = str(kind.label) if kind else run.kind
    moment = timezone.localtime(_reference_moment(run))
    if addresses:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(report)s, %(date)s") % {"report": label, "date": f"{moment:%Y-%m-%d}"}
            lines = [
                _("The scheduled report “%(schedule)s” is ready.") % {"schedule": schedule.name},
                _("Rows: %(rows)s") % {"rows": run.row_count},
            ]
            if kind:
                lines += [f"{name}: {value}" for name, value in kind.describe(run.parameters)]
            attach = (run.file_size or 0) <= attachment_max_bytes()
            if attach:
                lines.append(_("The workbook is attached."))
            else:
                lines.append(
                    _("The workbook is too large to attach; download it here (sign-in needed): %(link)s")
                    % {"link": link}
                )
            message = EmailMessage(
                subject=settings.EMAIL_SUBJECT_PREFIX + subject,
                body="\n".join(str(line) for line in lines),
                to=[],
                bcc=addresses,
                connection=get_connection(),
            )
            if attach:
                with run.file.open("rb") as fh:
                    message.attach(os.path.basename(run.file.name), fh.read(), XLSX)
            message.send()
    notification_send(
        title=gettext_lazy("Report ready: %(report)s"),
        body=gettext_lazy("The scheduled report “%(schedule)s” has %(rows)s rows."),
        params={"report": label, "schedule": schedule.name, "rows": run.row_count},
        url=run.get_download_url(),
        users=list(schedule.recipient_users.values_list("pk", flat=True)),
        groups=schedule.recipient_roles,
        departments=list(schedule.recipient_departments.values_list("pk", flat=True)),
        email=False,
    )
    run.delivered_at = timezone.now()
    run.save(update_fields=["delivered_at"])
    return len(addresses)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "TELROOM_REPORT_STALE_MINUTES", 180)))


def report_runs_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the runs left queued or running far too long (a worker died and the task was lost).

    They then show their error and a retry button; a late worker finishing one still wins.
    """
    cutoff = (now or timezone.now()) - stale_after()
    stale = ReportRun.objects.filter(
        Q(status=ReportRun.Status.RUNNING, started_at__lt=cutoff)
        | Q(status=ReportRun.Status.QUEUED, created_at__lt=cutoff, started_at__isnull=True)
    )
    count = 0
    for run_id in stale.values_list("pk", flat=True):
        if report_run_fail(
            run_id=run_id, error=_("The run was interrupted (no worker finished it); retry it.")
        ):
            count += 1
    return count


# --- Retention ------------------------------------------------------------------------------


def report_runs_purge(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Delete the files of runs older than the retention period; the runs stay listed. Return how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=days if days is not None else retention_days())
    purged = 0
    old = ReportRun.objects.filter(created_at__lt=cutoff, file_deleted_at__isnull=True).exclude(file="")
    for run_id in old.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=run_id)
            if run.file:
                run.file.delete(save=False)
            run.file = ""
            run.file_deleted_at = now
            run.save(update_fields=["file", "file_deleted_at"])
            purged += 1
    return purged


# --- Schedules ------------------------------------------------------------------------------


def schedule_slot(schedule: ReportSchedule, moment: datetime.datetime) -> datetime.datetime:
    """Return the latest slot of ``schedule`` at or before ``moment``, aware, in local time."""
    local = timezone.localtime(moment)
    day = local.date()
    for _step in range(0, 400):
        candidate = timezone.make_aware(datetime.datetime.combine(day, schedule.time))
        matches = (
            schedule.frequency == ReportSchedule.Frequency.DAILY
            or (
                schedule.frequency == ReportSchedule.Frequency.WEEKLY and day.isoweekday() == schedule.weekday
            )
            or (schedule.frequency == ReportSchedule.Frequency.MONTHLY and day.day == schedule.day_of_month)
        )
        if matches and candidate <= local:
            return candidate
        day -= datetime.timedelta(days=1)
    raise ValueError("schedule has no slot in the last 400 days")


def _crontab_for(schedule: ReportSchedule):
    from django_celery_beat.models import CrontabSchedule

    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(schedule.time.minute),
        hour=str(schedule.time.hour),
        day_of_week=str(schedule.weekday % 7) if schedule.frequency == "weekly" else "*",
        day_of_month=str(schedule.day_of_month) if schedule.frequency == "monthly" else "*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    return crontab


def _periodic_task_sync(schedule: ReportSchedule) -> None:
    """Keep the beat entry of ``schedule`` in line with it (beat notices the change by itself)."""
    from django_celery_beat.models import PeriodicTask

    crontab = _crontab_for(schedule)
    values = {
        "task": SCHEDULE_TASK,
        "crontab": crontab,
        "interval": None,
        "kwargs": json.dumps({"schedule_id": schedule.pk}),
        "enabled": schedule.enabled,
        "description": schedule.name,
    }
    task = schedule.periodic_task
    if task is None:
        task = PeriodicTask.objects.create(name=f"reports.schedule.{schedule.pk}", **values)
        ReportSchedule.objects.filter(pk=schedule.pk).update(periodic_task=task)
        schedule.periodic_task = task
    else:
        for name, value in values.items():
            setattr(task, name, value)
        task.save()


SCHEDULE_FIELDS = (
    "name",
    "kind",
    "parameters",
    "frequency",
    "time",
    "weekday",
    "day_of_month",
    "recipient_roles",
    "recipient_addresses",
    "enabled",
)


def _schedule_apply(schedule: ReportSchedule, fields: dict) -> None:
    kind = _kind_or_error(fields.get("kind", schedule.kind))
    unknown = set(fields) - set(SCHEDULE_FIELDS) - {"recipient_users", "recipient_departments"}
    if unknown:
        raise TypeError(f"unknown schedule fields: {', '.join(sorted(unknown))}")
    for name in SCHEDULE_FIELDS:
        if name in fields:
            setattr(schedule, name, fields[name])
    if schedule.frequency != ReportSchedule.Frequency.WEEKLY:
        schedule.weekday = None
    if schedule.frequency != ReportSchedule.Frequency.MONTHLY:
        schedule.day_of_month = None
    schedule.parameters = parameters_clean(kind=kind, data=schedule.parameters or {})
    schedule.time = schedule.time.replace(second=0, microsecond=0)
    schedule.full_clean(exclude=["periodic_task", "created_by"])


@transaction.atomic
def report_schedule_create(
    *, actor, recipient_users=(), recipient_departments=(), **fields
) -> ReportSchedule:
    """Create a schedule and its beat entry."""
    schedule = ReportSchedule(created_by=actor)
    _schedule_apply(schedule, fields)
    with audit_actor(actor):
        schedule.save()
        schedule.recipient_users.set(recipient_users)
        schedule.recipient_departments.set(recipient_departments)
    _periodic_task_sync(schedule)
    return schedule


@transaction.atomic
def report_schedule_update(
    *, schedule: ReportSchedule, actor, recipient_users=None, recipient_departments=None, **fields
) -> ReportSchedule:
    """Change a schedule and move its beat entry with it."""
    schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    _schedule_apply(schedule, fields)
    with audit_actor(actor):
        schedule.save()
        if recipient_users is not None:
            schedule.recipient_users.set(recipient_users)
        if recipient_departments is not None:
            schedule.recipient_departments.set(recipient_departments)
    _periodic_task_sync(schedule)
    return schedule


@transaction.atomic
def report_schedule_delete(*, schedule: ReportSchedule, actor) -> None:
    """Delete a schedule and its beat entry; its past runs stay."""
    task = schedule.periodic_task
    with audit_actor(actor):
        schedule.delete()
    if task is not None:
        task.delete()


def report_schedule_fire(*, schedule_id: int, now: datetime.datetime | None = None) -> ReportRun | None:
    """Beat's entry point: create the run of the current slot, once, and queue it.

    Delivered twice, or retried after a crash, it finds the slot's run and queues it again
    only if it is still waiting; execution is itself idempotent.
    """
    schedule = ReportSchedule.objects.filter(pk=schedule_id, enabled=True).first()
    kind = kind_get(schedule.kind) if schedule else None
    if kind is None:
        return None
    slot = schedule_slot(schedule, (now or timezone.now()) + SLOT_TOLERANCE)
    key = parameters_key(schedule.parameters)
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                kind=schedule.kind,
                parameters=schedule.parameters,
                parameters_key=key,
                parameters_text=kind.describe_text(schedule.parameters)[:500],
                schedule=schedule,
                slot=slot,
            )
            _enqueue_execute(run)
            return run
    except IntegrityError:
        pass
    with transaction.atomic():
        run = ReportRun.objects.get(kind=schedule.kind, parameters_key=key, slot=slot)
        if run.status == ReportRun.Status.QUEUED:
            _enqueue_execute(run)
        return run


def download_allowed(*, run: ReportRun, user) -> bool:
    kind = kind_get(run.kind)
    if kind is None:
        return bool(user.is_superuser)
    return kind.can_download(user)
