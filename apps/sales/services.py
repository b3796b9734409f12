import csv
import datetime
import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.audit import audit_actor, audit_log_event
from apps.core.calendar import week_start
from apps.core.excel import SpreadsheetError, open_uploaded_workbook, unneutralise
from apps.core.services import notification_send

from .models import (
    Absence,
    Attendance,
    CalendarDay,
    Call,
    CallImport,
    Customer,
    DayResult,
    FollowUp,
    RuleSet,
    TrainingSession,
    WeeklyPlan,
    WorkRecord,
)
from .phone import phone_try_normalise
from .quota import QuotaResult
from .selectors import (
    quota_days_evaluate,
    rule_set_for,
    sales_reps,
    supervises,
    work_calendar,
)

CDR_MATCH_WINDOW = datetime.timedelta(minutes=5)


def _require_rep(actor: User, rep: User) -> None:
    """Let a rep write only their own records; a supervisor may write for their team."""
    if actor.pk != rep.pk and not supervises(user=actor, rep=rep):
        raise PermissionDenied


# Rule sets ------------------------------------------------------------------------------


@transaction.atomic
def rule_set_create(*, actor: User, effective_from: datetime.date, **numbers) -> RuleSet:
    """Record a new rule set; days before ``effective_from`` keep the rules they had."""
    if not actor.has_perm("sales.add_ruleset"):
        raise PermissionDenied
    rule_set = RuleSet(effective_from=effective_from, **numbers)
    rule_set.full_clean()
    rule_set.save()
    return rule_set


@transaction.atomic
def calendar_day_set(*, actor: User, day: datetime.date, is_working: bool, name: str = "") -> CalendarDay:
    """Mark ``day`` as a holiday or an extra working day; closed days keep their result."""
    if not actor.has_perm("sales.add_calendarday"):
        raise PermissionDenied
    entry, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"is_working": is_working, "name": name.strip()}
    )
    return entry


# Calls ----------------------------------------------------------------------------------


def _customer_for(number_normalised: str) -> Customer | None:
    if not number_normalised:
        return None
    return Customer.objects.filter(phone=number_normalised).first()


@transaction.atomic
def call_log(
    *,
    actor: User,
    rep: User,
    number: str,
    started_at: datetime.datetime,
    talk_seconds: int,
    outcome: str,
    notes: str = "",
) -> Call:
    """Log a call by hand; a call record already imported for it is completed instead of doubled."""
    _require_rep(actor, rep)
    if outcome not in Call.Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome of the call.")})
    if talk_seconds is None or talk_seconds < 0:
        raise ValidationError({"talk_seconds": _("Talk time cannot be negative.")})
    if started_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"started_at": _("A call cannot start in the future.")})
    normalised = phone_try_normalise(number) or ""
    if not number.strip():
        raise ValidationError({"number": _("Enter the number called.")})
    match = _cdr_match(rep=rep, number_normalised=normalised, started_at=started_at, source=Call.Source.CDR)
    if match is not None:
        match.outcome = outcome
        match.notes = notes
        match.customer = match.customer or _customer_for(normalised)
        match.save(update_fields=["outcome", "notes", "customer"])
        return match
    call = Call(
        rep=rep,
        date=timezone.localdate(started_at),
        started_at=started_at,
        number=number.strip(),
        number_normalised=normalised,
        customer=_customer_for(normalised),
        talk_seconds=talk_seconds,
        outcome=outcome,
        notes=notes,
        source=Call.Source.MANUAL,
    )
    call.full_clean()
    call.save()
    return call


def _cdr_match(
    *, rep: User, number_normalised: str, started_at: datetime.datetime, source: str
) -> Call | None:
    """Return the not-yet-paired call of ``source`` for the same number within five minutes."""
    if not number_normalised:
        return None
    queryset = Call.objects.filter(
        rep=rep,
        number_normalised=number_normalised,
        started_at__gte=started_at - CDR_MATCH_WINDOW,
        started_at__lte=started_at + CDR_MATCH_WINDOW,
        source=source,
    )
    if source == Call.Source.MANUAL:
        queryset = queryset.filter(verified=False)
    return queryset.order_by("pk").select_for_update().first()


# Call-record (CDR) import ---------------------------------------------------------------

CDR_COLUMNS = {
    "extension": ("分机号", "extension", "ext", "主叫分机"),
    "number": ("被叫号码", "called number", "number", "dst", "destination"),
    "started_at": ("开始时间", "start time", "start", "calldate"),
    "talk_seconds": ("通话时长", "通话时长(秒)", "talk seconds", "billsec", "duration"),
    "status": ("状态", "status", "disposition"),
    "call_id": ("呼叫编号", "call id", "uniqueid", "id"),
}
CDR_STATUS = {
    "answered": Call.Outcome.CONVERSATION,
    "已接通": Call.Outcome.CONVERSATION,
    "接通": Call.Outcome.CONVERSATION,
    "no answer": Call.Outcome.NO_ANSWER,
    "noanswer": Call.Outcome.NO_ANSWER,
    "未接": Call.Outcome.NO_ANSWER,
    "未接通": Call.Outcome.NO_ANSWER,
    "busy": Call.Outcome.BUSY,
    "忙": Call.Outcome.BUSY,
    "占线": Call.Outcome.BUSY,
    "failed": Call.Outcome.NO_ANSWER,
    "失败": Call.Outcome.NO_ANSWER,
}


class ImportFailed(ValidationError):
    """The file was not imported; ``errors`` lists each bad row."""

    def __init__(self, errors: list[str]):
        super().__init__(errors)
        self.errors = errors


def _read_rows(file, file_name: str) -> list[list]:
    name = file_name.lower()
    if name.endswith(".csv"):
        raw = file.read()
        if isinstance(raw, bytes):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    raw = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportFailed([_("The CSV file is neither UTF-8 nor GB18030 text.")])
        return [row for row in csv.reader(io.StringIO(raw))]
    if name.endswith(".xlsx"):
        from django.conf import settings

        try:
            workbook = open_uploaded_workbook(file, max_bytes=settings.TELROOM_UPLOAD_MAX_BYTES)
        except SpreadsheetError as exc:
            raise ImportFailed([str(exc)]) from exc
        sheet = workbook.worksheets[0]
        rows = [[unneutralise(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    raise ImportFailed([_("Upload a .csv or .xlsx file of call records.")])


def _header_map(header: list) -> dict[str, int]:
    found = {}
    labels = [str(h or "").strip().lower() for h in header]
    for key, names in CDR_COLUMNS.items():
        for index, label in enumerate(labels):
            if label in names or any(label.startswith(n) for n in names if len(n) > 3):
                found[key] = index
                break
    return found


def _parse_time(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = None
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
            try:
                moment = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        if moment is None:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@transaction.atomic
def call_records_import(*, actor: User | None, file, file_name: str) -> CallImport:
    """Import PBX call records, all or nothing.

    Each row is matched to a rep by extension. A row already imported is skipped; a row
    that confirms a hand-logged call marks it verified instead of adding a second call.
    Every bad row is reported as "row N: reason" and then nothing is written.
    """
    if actor is not None and not actor.has_perm("sales.import_calls"):
        raise PermissionDenied
    rows = _read_rows(file, file_name)
    rows = [row for row in rows if any(str(v or "").strip() for v in row)]
    if not rows:
        raise ImportFailed([_("The file is empty.")])
    columns = _header_map(rows[0])
    missing = [
        CDR_COLUMNS[key][0]
        for key in ("extension", "number", "started_at", "talk_seconds")
        if key not in columns
    ]
    if missing:
        raise ImportFailed([_("Missing columns: %(columns)s") % {"columns": "、".join(missing)}])
    reps = {rep.extension: rep for rep in sales_reps() if rep.extension}
    # The PBX records every extension of the building: calls of staff who are not sales reps
    # are skipped; an extension nobody has is an error.
    other_extensions = (
        set(User.objects.filter(is_active=True).exclude(extension="").values_list("extension", flat=True))
        - reps.keys()
    )
    other_staff = 0
    errors: list[str] = []
    parsed = []
    keys_in_file: set[str] = set()
    duplicates = 0

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows[1:], start=2):
        extension = str(cell(row, "extension") or "").strip().removesuffix(".0")
        rep = reps.get(extension)
        if rep is None and extension in other_extensions:
            other_staff += 1
            continue
        if rep is None:
            errors.append(
                _("Row %(row)s: no sales rep has extension “%(ext)s”.") % {"row": number, "ext": extension}
            )
            continue
        dialled = str(cell(row, "number") or "").strip().removesuffix(".0")
        if not dialled:
            errors.append(_("Row %(row)s: the called number is empty.") % {"row": number})
            continue
        started_at = _parse_time(cell(row, "started_at"))
        if started_at is None:
            errors.append(
                _("Row %(row)s: start time “%(value)s” is not a date and time like 2026-03-02 09:15:00.")
                % {"row": number, "value": cell(row, "started_at")}
            )
            continue
        try:
            talk = int(Decimal(str(cell(row, "talk_seconds") or "0").strip()))
            if talk < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(
                _("Row %(row)s: talk time “%(value)s” is not a number of seconds.")
                % {"row": number, "value": cell(row, "talk_seconds")}
            )
            continue
        status = str(cell(row, "status") or "").strip().lower()
        if status:
            outcome = CDR_STATUS.get(status)
            if outcome is None:
                errors.append(
                    _("Row %(row)s: unknown call status “%(value)s”.") % {"row": number, "value": status}
                )
                continue
        else:
            outcome = Call.Outcome.CONVERSATION if talk > 0 else Call.Outcome.NO_ANSWER
        if outcome == Call.Outcome.CONVERSATION and talk == 0:
            outcome = Call.Outcome.NO_ANSWER
        call_id = str(cell(row, "call_id") or "").strip()
        key = (
            "id:" + call_id
            if call_id
            else "h:" + hashlib.sha1(f"{extension}|{dialled}|{started_at.isoformat()}".encode()).hexdigest()  # noqa: S324
        )
        if key in keys_in_file:
            duplicates += 1
            continue
        keys_in_file.add(key)
        parsed.append((rep, dialled, started_at, talk, outcome, key))
    if errors:
        raise ImportFailed(errors)
    existing = set(Call.objects.filter(cdr_key__in=keys_in_file).values_list("cdr_key", flat=True))
    report = CallImport(
        file_name=file_name[:200],
        imported_by=actor,
        rows=len(rows) - 1,
        duplicates=duplicates,
        other_staff=other_staff,
    )
    new_calls = []
    for rep, dialled, started_at, talk, outcome, key in parsed:
        if key in existing:
            report.duplicates += 1
            continue
        normalised = phone_try_normalise(dialled) or ""
        manual = _cdr_match(
            rep=rep, number_normalised=normalised, started_at=started_at, source=Call.Source.MANUAL
        )
        if manual is not None:
            manual.verified = True
            manual.cdr_key = key
            manual.talk_seconds = talk
            manual.save(update_fields=["verified", "cdr_key", "talk_seconds"])
            report.confirmed += 1
            continue
        new_calls.append(
            Call(
                rep=rep,
                date=timezone.localdate(started_at),
                started_at=started_at,
                number=dialled,
                number_normalised=normalised,
                talk_seconds=talk,
                outcome=outcome,
                source=Call.Source.CDR,
                verified=True,
                cdr_key=key,
            )
        )
    Call.objects.bulk_create(new_calls, batch_size=1000)
    report.created = len(new_calls)
    report.save()
    days = {(c.rep_id, c.date) for c in new_calls}
    for rep_id, day in days:
        _recompute_if_stored(rep_id=rep_id, day=day, actor=actor)
    return report


# Follow-up records ----------------------------------------------------------------------


@transaction.atomic
def follow_up_create(
    *,
    actor: User,
    rep: User,
    contact_person: str = "",
    company_name: str = "",
    phone: str = "",
    content: str = "",
    category: str,
    next_follow_up: datetime.date | None = None,
    day: datetime.date | None = None,
) -> FollowUp:
    """Save a follow-up record, complete or not; it counts the customer once a day when complete."""
    _require_rep(actor, rep)
    if category not in FollowUp.Category.values:
        raise ValidationError({"category": _("Choose the customer's category.")})
    day = day or timezone.localdate()
    if next_follow_up and next_follow_up < day:
        raise ValidationError({"next_follow_up": _("The next follow-up cannot be before the record's date.")})
    normalised = phone_try_normalise(phone) if phone.strip() else None
    record = FollowUp(
        rep=rep,
        date=day,
        contact_person=contact_person.strip(),
        company_name=company_name.strip(),
        phone=phone.strip(),
        phone_normalised=normalised or "",
        content=content.strip(),
        category=category,
        next_follow_up=next_follow_up,
    )
    if normalised:
        customer, created = Customer.objects.get_or_create(
            phone=normalised,
            defaults={
                "company_name": record.company_name,
                "contact_person": record.contact_person,
                "owner": rep,
            },
        )
        if not created and not customer.company_name and record.company_name:
            customer.company_name = record.company_name
            customer.save(update_fields=["company_name"])
        record.customer = customer
    record.full_clean(exclude=["counted_phone"])
    record.save()
    _follow_up_claim_count(record)
    _recompute_if_stored(rep_id=rep.pk, day=day, actor=actor)
    return record


def _follow_up_claim_count(record: FollowUp) -> bool:
    """Make ``record`` the one that counts its customer today, if it is complete and none does yet."""
    from .quota import follow_up_problems

    if record.is_false or follow_up_problems(record.as_fact()):
        return False
    try:
        with transaction.atomic():
            updated = FollowUp.objects.filter(pk=record.pk).update(counted_phone=record.phone_normalised)
    except IntegrityError:
        return False
    record.counted_phone = record.phone_normalised
    return bool(updated)


@transaction.atomic
def follow_up_mark_false(*, actor: User, follow_up: FollowUp, note: str) -> FollowUp:
    """Confirm a follow-up record false: it stops counting, 50 yuan is added and the day recomputed."""
    follow_up = FollowUp.objects.select_for_update().select_related("rep").get(pk=follow_up.pk)
    if not supervises(user=actor, rep=follow_up.rep) or not actor.has_perm("sales.change_followup"):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Write what the check found.")})
    if follow_up.is_false:
        raise ValidationError(_("This record is already marked false."))
    phone = follow_up.counted_phone
    follow_up.is_false = True
    follow_up.counted_phone = None
    follow_up.false_note = note.strip()
    follow_up.false_marked_by = actor
    follow_up.false_marked_at = timezone.now()
    follow_up.save()
    if phone:
        # Another complete record of the same customer that day now counts instead.
        for other in (
            FollowUp.objects.filter(
                rep_id=follow_up.rep_id, date=follow_up.date, phone_normalised=phone, is_false=False
            )
            .exclude(pk=follow_up.pk)
            .order_by("created_at", "pk")
        ):
            if _follow_up_claim_count(other):
                break
    audit_log_event(
        obj=follow_up, actor=actor, message=_("Marked false: %(note)s") % {"note": follow_up.false_note}
    )
    _recompute_if_stored(rep_id=follow_up.rep_id, day=follow_up.date, actor=actor)
    notification_send(
        title=gettext_lazy("A follow-up record of %(date)s was found false"),
        body=gettext_lazy("%(company)s: %(note)s"),
        params={
            "date": follow_up.date.isoformat(),
            "company": follow_up.company_name,
            "note": follow_up.false_note,
        },
        url=reverse("sales:my_day") + f"?date={follow_up.date.isoformat()}",
        users=[follow_up.rep],
        email=False,
    )
    return follow_up


# Absences (field visits, leave, training) -----------------------------------------------


@transaction.atomic
def absence_request(
    *,
    actor: User,
    kind: str,
    day: datetime.date,
    hours: Decimal,
    purpose: str,
    customer: str = "",
    training: TrainingSession | None = None,
) -> Absence:
    """Ask the supervisor for time away from the phones."""
    absence = Absence(
        rep=actor,
        kind=kind,
        date=day,
        hours=Decimal(hours),
        purpose=purpose.strip(),
        customer=customer.strip(),
        training=training,
    )
    absence.full_clean()
    absence.save()
    if actor.supervisor_id:
        notification_send(
            title=gettext_lazy("%(rep)s asks for %(kind)s on %(date)s"),
            params={
                "rep": actor.get_full_name(),
                "kind": absence.get_kind_display(),
                "date": day.isoformat(),
            },
            url=reverse("sales:approvals"),
            users=[actor.supervisor_id],
            email=False,
        )
    return absence


@transaction.atomic
def absence_request_days(
    *,
    actor: User,
    kind: str,
    day: datetime.date,
    until: datetime.date | None = None,
    hours: Decimal,
    purpose: str,
    customer: str = "",
    training: TrainingSession | None = None,
) -> list[Absence]:
    """Ask for the same time away on each working day from ``day`` to ``until``."""
    until = until or day
    if until < day:
        raise ValidationError({"until": _("The last day cannot be before the first.")})
    if (until - day).days > 31:
        raise ValidationError({"until": _("Ask for at most a month at a time.")})
    if training is not None and not training.attendance.filter(rep=actor).exists():
        raise ValidationError({"training": _("You are not required at this training session.")})
    calendar = work_calendar(start=day, end=until)
    days = list(calendar.working_days(day, until))
    if not days:
        raise ValidationError({"day": _("There is no working day in this period.")})
    return [
        absence_request(
            actor=actor, kind=kind, day=d, hours=hours, purpose=purpose, customer=customer, training=training
        )
        for d in days
    ]


@transaction.atomic
def absence_decide(*, actor: User, absence: Absence, approve: bool, note: str = "") -> Absence:
    """Approve or refuse an absence; an approved one lowers that day's call standard."""
    absence = Absence.objects.select_for_update().select_related("rep").get(pk=absence.pk)
    if not supervises(user=actor, rep=absence.rep) or not actor.has_perm("sales.change_absence"):
        raise PermissionDenied
    if absence.status != Absence.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    absence.status = Absence.Status.APPROVED if approve else Absence.Status.REFUSED
    absence.decided_by = actor
    absence.decided_at = timezone.now()
    absence.decision_note = note.strip()[:300]
    absence.save()
    _recompute_if_stored(rep_id=absence.rep_id, day=absence.date, actor=actor)
    notification_send(
        title=gettext_lazy("Your request for %(date)s was %(status)s"),
        params={"date": absence.date.isoformat(), "status": absence.get_status_display()},
        url=reverse("sales:absences"),
        users=[absence.rep],
        email=False,
    )
    return absence


# Day results ----------------------------------------------------------------------------


def _apply(result: DayResult, live: QuotaResult, rule_set: RuleSet, absence_hours: Decimal) -> None:
    result.rule_set = rule_set if rule_set.pk else None
    result.rules_applied = rule_set.as_rules().snapshot()
    result.working_day = live.working_day
    result.new_employee = live.new_employee
    result.absence_hours = absence_hours
    result.required_calls = live.required_calls
    result.required_customers = live.required_customers
    result.effective_calls = live.effective_calls
    result.counted_customers = live.counted_customers
    result.short_calls = live.short_calls
    result.short_customers = live.short_customers
    result.false_records = live.false_records
    result.fine_shortfall = live.fine_shortfall
    result.fine_false = live.fine_false
    result.fine_total = live.fine_total
    result.reasons = live.reasons


def _absence_hours(rep_ids, day) -> dict[int, Decimal]:
    from django.db.models import Sum

    return dict(
        Absence.objects.filter(rep_id__in=rep_ids, date=day, status=Absence.Status.APPROVED)
        .values("rep_id")
        .annotate(total=Sum("hours"))
        .order_by()
        .values_list("rep_id", "total")
    )


def _recompute_if_stored(*, rep_id: int, day: datetime.date, actor: User | None) -> None:
    """Recompute a stored day after its records changed (a closed day keeps its closed state)."""
    result = DayResult.objects.select_for_update().filter(rep_id=rep_id, date=day).first()
    if result is None:
        return
    rep = User.objects.get(pk=rep_id)
    rule_set = _stored_rule_set(result) or rule_set_for(day=day)
    live = quota_days_evaluate(reps=[rep], day=day, rule_set=rule_set)[rep_id]
    before = result.fine_total
    _apply(result, live, rule_set, _absence_hours([rep_id], day).get(rep_id) or Decimal(0))
    result.save()
    if result.is_closed and before != result.fine_total:
        audit_log_event(
            obj=result,
            actor=actor,
            message=_("Closed day recomputed: fine %(before)s → %(after)s yuan")
            % {"before": before, "after": result.fine_total},
        )


def _stored_rule_set(result: DayResult) -> RuleSet | None:
    """Return the rule set a stored day was judged by, so later rule changes leave it alone."""
    return result.rule_set


@transaction.atomic
def quota_days_close(*, day: datetime.date, actor: User | None = None, reps: list[User] | None = None) -> int:
    """Close ``day`` for every rep (or ``reps``) not closed yet; return how many were closed.

    Running it again changes nothing: closed days are skipped, and a day a supervisor
    reopened is closed again only by hand.
    """
    by_hand = reps is not None
    reps = list(reps if by_hand else sales_reps())
    reps = [rep for rep in reps if rep.hire_date is None or rep.hire_date <= day]
    if not reps:
        return 0
    existing = {
        r.rep_id: r
        for r in DayResult.objects.select_for_update().filter(rep__in=reps, date=day).order_by("pk")
    }

    def due(rep):
        result = existing.get(rep.pk)
        if result is None:
            return True
        return not result.is_closed and (by_hand or result.reopened_at is None)

    to_close = [rep for rep in reps if due(rep)]
    if not to_close:
        return 0
    rule_set = rule_set_for(day=day)
    calendar = work_calendar(start=day, end=day)
    live = quota_days_evaluate(reps=to_close, day=day, rule_set=rule_set, calendar=calendar)
    hours = _absence_hours([rep.pk for rep in to_close], day)
    now = timezone.now()
    new, changed = [], []
    for rep in to_close:
        result = existing.get(rep.pk) or DayResult(rep=rep, date=day)
        _apply(result, live[rep.pk], rule_set, hours.get(rep.pk) or Decimal(0))
        result.is_closed = True
        result.closed_at = now
        (changed if result.pk else new).append(result)
    with audit_actor(actor):
        DayResult.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        for result in changed:
            result.save()
    return len(new) + len(changed)


@transaction.atomic
def quota_day_close(*, actor: User, rep: User, day: datetime.date) -> DayResult:
    """Close one rep's day by hand (after a reopening)."""
    if not supervises(user=actor, rep=rep):
        raise PermissionDenied
    quota_days_close(day=day, actor=actor, reps=[rep])
    result = DayResult.objects.get(rep=rep, date=day)
    audit_log_event(obj=result, actor=actor, message=_("Day closed by hand"))
    return result


@transaction.atomic
def quota_day_reopen(*, actor: User, result: DayResult, reason: str) -> DayResult:
    """Reopen a closed day so it can be corrected; the reason goes to the audit trail."""
    result = DayResult.objects.select_for_update().select_related("rep").get(pk=result.pk)
    if not supervises(user=actor, rep=result.rep) or not actor.has_perm("sales.reopen_dayresult"):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the day is reopened.")})
    if not result.is_closed:
        raise ValidationError(_("This day is not closed."))
    result.is_closed = False
    result.reopened_at = timezone.now()
    result.reopen_reason = reason.strip()[:300]
    result.save()
    audit_log_event(
        obj=result, actor=actor, message=_("Day reopened: %(reason)s") % {"reason": result.reopen_reason}
    )
    return result


def quota_close_due(*, now: datetime.datetime | None = None, catch_up_days: int = 7) -> int:
    """Close every day that is due: past days not closed yet, and today once its close time has passed."""
    now = timezone.localtime(now)
    today = now.date()
    # Judging starts on the first day anyone logged a call, so installing Telroom does not
    # fine the whole floor for the week before it was used.
    first_day = Call.objects.order_by("date").values_list("date", flat=True).first()
    if first_day is None:
        return 0
    closed = 0
    for offset in range(catch_up_days, 0, -1):
        day = today - datetime.timedelta(days=offset)
        if day >= first_day:
            closed += quota_days_close(day=day)
    if now.time() >= rule_set_for(day=today).day_close:
        closed += quota_days_close(day=today)
    return closed


# Work records and weekly plans ----------------------------------------------------------


@transaction.atomic
def work_record_submit(*, actor: User, content: str, day: datetime.date | None = None) -> WorkRecord:
    """Send the day's work record to the supervisor; after the end of work it is marked late."""
    now = timezone.localtime()
    day = day or now.date()
    if not content.strip():
        raise ValidationError({"content": _("Write what you did today.")})
    if day > now.date():
        raise ValidationError({"day": _("A work record cannot be sent for a future day.")})
    rule_set = rule_set_for(day=day)
    deadline = timezone.make_aware(datetime.datetime.combine(day, rule_set.end_of_work))
    record, _created = WorkRecord.objects.update_or_create(
        rep=actor,
        date=day,
        defaults={"content": content.strip(), "submitted_at": now, "is_late": now > deadline},
    )
    if actor.supervisor_id:
        notification_send(
            title=gettext_lazy("Work record of %(rep)s for %(date)s"),
            body=content.strip()[:500],
            params={"rep": actor.get_full_name(), "date": day.isoformat()},
            url=reverse("sales:work_records") + f"?date={day.isoformat()}",
            users=[actor.supervisor_id],
            email=False,
        )
    return record


def plan_deadline(week: datetime.date) -> datetime.datetime:
    """Return when the plan for the week starting ``week`` is due: the Saturday before, end of work."""
    saturday = week - datetime.timedelta(days=2)
    return timezone.make_aware(datetime.datetime.combine(saturday, rule_set_for(day=saturday).end_of_work))


@transaction.atomic
def weekly_plan_submit(*, actor: User, content: str, week: datetime.date | None = None) -> WeeklyPlan:
    """Send next week's plan; it is due on Saturday by the end of work."""
    now = timezone.localtime()
    week = week or week_start(now.date()) + datetime.timedelta(days=7)
    if not content.strip():
        raise ValidationError({"content": _("Write the plan for next week.")})
    plan = WeeklyPlan.objects.filter(rep=actor, week_start=week).first() or WeeklyPlan(
        rep=actor, week_start=week
    )
    plan.content = content.strip()
    plan.submitted_at = now
    plan.is_late = now > plan_deadline(week)
    plan.full_clean()
    plan.save()
    if actor.supervisor_id:
        notification_send(
            title=gettext_lazy("Plan of %(rep)s for the week of %(date)s"),
            body=plan.content[:500],
            params={"rep": actor.get_full_name(), "date": week.isoformat()},
            url=reverse("sales:weekly_plans"),
            users=[actor.supervisor_id],
            email=False,
        )
    return plan


def work_record_reminders_send(*, day: datetime.date | None = None) -> int:
    """Remind the reps who have not sent today's work record yet."""
    day = day or timezone.localdate()
    if not work_calendar(start=day, end=day).is_working_day(day):
        return 0
    reps = sales_reps().exclude(sales_work_records__date=day)
    ids = list(reps.values_list("pk", flat=True))
    if ids:
        notification_send(
            title=gettext_lazy("Send your work record for %(date)s before the end of work"),
            params={"date": day.isoformat()},
            url=reverse("sales:work_records"),
            users=ids,
        )
    return len(ids)


def weekly_plan_reminders_send(*, day: datetime.date | None = None) -> int:
    """On Saturday, remind the reps who have not sent next week's plan."""
    day = day or timezone.localdate()
    week = week_start(day) + datetime.timedelta(days=7)
    reps = sales_reps().exclude(sales_weekly_plans__week_start=week)
    ids = list(reps.values_list("pk", flat=True))
    if ids:
        notification_send(
            title=gettext_lazy("Send your plan for the week of %(date)s by today's end of work"),
            params={"date": week.isoformat()},
            url=reverse("sales:weekly_plans"),
            users=ids,
        )
    return len(ids)


def stay_late_notices_send(*, day: datetime.date | None = None) -> int:
    """After the end of work, tell each rep still short, and their supervisor, who must stay."""
    from collections import defaultdict

    day = day or timezone.localdate()
    reps = list(sales_reps())
    results = quota_days_evaluate(reps=reps, day=day)
    short = [rep for rep in reps if results[rep.pk].short_calls > 0]
    by_supervisor = defaultdict(list)
    for rep in short:
        notification_send(
            title=gettext_lazy("Work has ended and %(n)s calls are still short: stay until they are done"),
            params={"n": results[rep.pk].short_calls},
            url=reverse("sales:my_day"),
            users=[rep],
            email=False,
        )
        if rep.supervisor_id:
            by_supervisor[rep.supervisor_id].append(f"{rep.get_full_name()}（{results[rep.pk].short_calls}）")
    for supervisor_id, names in by_supervisor.items():
        notification_send(
            title=gettext_lazy("%(n)s reps must stay after the end of work"),
            body="、".join(names),
            params={"n": len(names)},
            url=reverse("sales:board"),
            users=[supervisor_id],
            email=False,
        )
    return len(short)


# Training -------------------------------------------------------------------------------


@transaction.atomic
def training_create(
    *,
    actor: User,
    topic: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
    reps: list[User],
) -> TrainingSession:
    if not actor.has_perm("sales.add_trainingsession"):
        raise PermissionDenied
    if not reps:
        raise ValidationError({"reps": _("Choose who must attend.")})
    session = TrainingSession(
        topic=topic, starts_at=starts_at, ends_at=ends_at, place=place, created_by=actor
    )
    session.full_clean()
    session.save()
    Attendance.objects.bulk_create([Attendance(session=session, rep=rep) for rep in reps])
    notification_send(
        title=gettext_lazy("Training “%(topic)s” on %(time)s at %(place)s: attendance is required"),
        params={
            "topic": topic,
            "time": timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": place,
        },
        url=reverse("sales:trainings"),
        users=reps,
    )
    return session


@transaction.atomic
def training_take_attendance(
    *, actor: User, session: TrainingSession, present_ids: set[int]
) -> list[Attendance]:
    """Record who came; those absent without an approved training absence are flagged."""
    if not actor.has_perm("sales.change_trainingsession"):
        raise PermissionDenied
    rows = list(Attendance.objects.select_for_update().filter(session=session).order_by("pk"))
    for row in rows:
        row.present = row.rep_id in present_ids
        row.save(update_fields=["present"])
    TrainingSession.objects.filter(pk=session.pk).update(attendance_taken=True)
    return rows


def training_unexcused(*, session: TrainingSession) -> list[Attendance]:
    """Return the attendance rows of reps absent without an approved training absence."""
    day = timezone.localtime(session.starts_at).date()
    excused = set(
        Absence.objects.filter(
            Q(training=session) | Q(training__isnull=True, date=day),
            kind=Absence.Kind.TRAINING,
            status=Absence.Status.APPROVED,
        ).values_list("rep_id", flat=True)
    )
    return [a for a in session.attendance.all() if a.present is False and a.rep_id not in excused]
