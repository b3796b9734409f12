"""Writes of the faults app: the fault life cycle, escalation, inspections, access log, documents."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role
from apps.core.audit import audit_log_event
from apps.core.models import Notification
from apps.core.services import notification_send

from .models import (
    DEFAULT_TARGETS,
    AccessEntry,
    Cause,
    Channel,
    ChecklistItem,
    ChecklistTemplate,
    Document,
    DocumentVersion,
    Fault,
    FaultAction,
    FaultEscalation,
    FaultEvent,
    FaultNumberCounter,
    InspectionResult,
    InspectionRound,
    ItemKind,
    ResponseTarget,
    Severity,
)

ROOM_STAFF_ROLES = (Role.ENGINEER, Role.CHIEF_ENGINEER)
S = Fault.Status


def _fault_locked(fault: Fault) -> Fault:
    """Re-read the fault under a row lock so two engineers cannot move it at once."""
    return Fault.objects.select_for_update().get(pk=fault.pk)


def _event(fault, kind, actor, text="", at=None, action=None) -> FaultEvent:
    return FaultEvent.objects.create(
        fault=fault, kind=kind, actor=actor, text=text, at=at or timezone.now(), action=action
    )


def _require(fault: Fault, allowed, verb: str) -> None:
    if fault.status not in allowed:
        raise ValidationError(
            _("Fault %(number)s is %(status)s and cannot be %(verb)s.")
            % {"number": fault.number, "status": fault.get_status_display(), "verb": verb}
        )


def _fault_url(fault: Fault) -> str:
    return reverse("faults:detail", args=[fault.number])


def _next_number(year: int) -> tuple[int, str]:
    """Take the year's next number under a row lock, so simultaneous reports never share one."""
    FaultNumberCounter.objects.bulk_create([FaultNumberCounter(year=year)], ignore_conflicts=True)
    counter = FaultNumberCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"GZ-{year}-{counter.last:05d}"


@transaction.atomic
def fault_report(
    *,
    actor,
    item_kind: str,
    item: str,
    symptom: str,
    severity: str = Severity.MINOR,
    channel: str = Channel.PHONE,
    contact: str = "",
    inspection_result: InspectionResult | None = None,
) -> Fault:
    """Record a new fault with the next readable number of the year and tell the engineers."""
    now = timezone.now()
    fault = Fault(
        item_kind=item_kind,
        item=(item or "").strip(),
        symptom=(symptom or "").strip(),
        severity=severity,
        channel=channel,
        contact=(contact or "").strip(),
        reporter=actor,
        reported_at=now,
        inspection_result=inspection_result,
        inspection_round=inspection_result.round if inspection_result else None,
    )
    fault.full_clean(exclude=["number", "year", "sequence"])
    fault.year = timezone.localtime(now).year
    fault.sequence, fault.number = _next_number(fault.year)
    fault.save()
    _event(fault, FaultEvent.Kind.REPORTED, actor, fault.symptom, at=now)
    notification_send(
        title=gettext_lazy("New %(severity)s fault %(number)s: %(item)s"),
        body=gettext_lazy("%(symptom)s"),
        params={
            "severity": fault.get_severity_display(),
            "number": fault.number,
            "item": fault.item,
            "symptom": fault.symptom,
        },
        url=_fault_url(fault),
        groups=[Role.ENGINEER],
        level=Notification.Level.URGENT if severity == Severity.CRITICAL else Notification.Level.INFO,
        email=severity != Severity.MINOR,
        exclude=actor,
    )
    return fault


def _acknowledge(fault: Fault, actor, now) -> None:
    fault.acknowledged_at = now
    fault.acknowledged_by = actor
    _event(fault, FaultEvent.Kind.ACKNOWLEDGED, actor, at=now)


@transaction.atomic
def fault_acknowledge(*, fault: Fault, actor) -> Fault:
    """Confirm that the engineers have seen the fault (stops the response clock)."""
    fault = _fault_locked(fault)
    _require(fault, [S.REPORTED], _("acknowledged"))
    _acknowledge(fault, actor, timezone.now())
    fault.status = S.ACKNOWLEDGED
    fault.save()
    return fault


@transaction.atomic
def fault_take(*, fault: Fault, actor) -> Fault:
    """Make ``actor`` the engineer working on the fault."""
    fault = _fault_locked(fault)
    _require(fault, [S.REPORTED, S.ACKNOWLEDGED, S.IN_PROGRESS], _("taken"))
    if fault.status == S.IN_PROGRESS and fault.assignee_id == actor.pk:
        raise ValidationError(_("You are already working on fault %(number)s.") % {"number": fault.number})
    now = timezone.now()
    if fault.acknowledged_at is None:
        _acknowledge(fault, actor, now)
    previous = fault.assignee
    fault.assignee = actor
    fault.status = S.IN_PROGRESS
    fault.save()
    text = _("Taken over from %(name)s") % {"name": previous} if previous and previous != actor else ""
    _event(fault, FaultEvent.Kind.TAKEN, actor, text, at=now)
    return fault


@transaction.atomic
def fault_action_add(
    *,
    fault: Fault,
    actor,
    description: str,
    performed_at: datetime.datetime | None = None,
    jumpers_changed: bool = False,
    patch_reference: str = "",
) -> FaultAction:
    """Log one remedial action; jumper changes carry the reference used on the patch table."""
    fault = _fault_locked(fault)
    _require(fault, [S.REPORTED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ON_HOLD, S.RESTORED], _("given an action"))
    now = timezone.now()
    performed_at = performed_at or now
    if performed_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"performed_at": _("The action cannot be in the future.")})
    if performed_at < fault.reported_at:
        raise ValidationError({"performed_at": _("The action cannot be before the fault was reported.")})
    patch_reference = (patch_reference or "").strip()
    if jumpers_changed and not patch_reference:
        patch_reference = fault.number
    action = FaultAction(
        fault=fault,
        performed_by=actor,
        performed_at=performed_at,
        description=(description or "").strip(),
        jumpers_changed=jumpers_changed,
        patch_reference=patch_reference if jumpers_changed else "",
    )
    action.full_clean()
    action.save()
    if fault.acknowledged_at is None:
        _acknowledge(fault, actor, now)
        fault.status = S.ACKNOWLEDGED
        fault.save()
    _event(fault, FaultEvent.Kind.ACTION, actor, action.description, at=performed_at, action=action)
    return action


@transaction.atomic
def fault_hold(*, fault: Fault, actor, reason: str) -> Fault:
    """Put the fault on hold (waiting for parts, for the user, for a supplier) with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for putting the fault on hold.")})
    fault = _fault_locked(fault)
    _require(fault, [S.ACKNOWLEDGED, S.IN_PROGRESS], _("put on hold"))
    fault.status = S.ON_HOLD
    fault.hold_reason = reason[:200]
    if fault.assignee_id is None:
        fault.assignee = actor
    fault.save()
    _event(fault, FaultEvent.Kind.HELD, actor, reason)
    return fault


@transaction.atomic
def fault_resume(*, fault: Fault, actor) -> Fault:
    fault = _fault_locked(fault)
    _require(fault, [S.ON_HOLD], _("resumed"))
    fault.status = S.IN_PROGRESS
    fault.hold_reason = ""
    if fault.assignee_id is None:
        fault.assignee = actor
    fault.save()
    _event(fault, FaultEvent.Kind.RESUMED, actor)
    return fault


@transaction.atomic
def fault_restore(*, fault: Fault, actor, note: str = "") -> Fault:
    """Mark service restored (stops the restore clock) and tell the reporter."""
    fault = _fault_locked(fault)
    _require(fault, Fault.OPEN_STATUSES, _("marked restored"))
    now = timezone.now()
    if fault.acknowledged_at is None:
        _acknowledge(fault, actor, now)
    fault.status = S.RESTORED
    fault.restored_at = now
    fault.hold_reason = ""
    if fault.assignee_id is None:
        fault.assignee = actor
    fault.save()
    _event(fault, FaultEvent.Kind.RESTORED, actor, (note or "").strip(), at=now)
    notification_send(
        title=gettext_lazy("Fault %(number)s: service restored"),
        body=gettext_lazy("%(item)s works again."),
        params={"number": fault.number, "item": fault.item},
        url=_fault_url(fault),
        users=[fault.reporter],
        exclude=actor,
    )
    return fault


@transaction.atomic
def fault_close(*, fault: Fault, actor, cause: str, resolution: str = "") -> Fault:
    """Close a restored fault with its cause category."""
    if cause not in Cause.values:
        raise ValidationError({"cause": _("Choose the cause of the fault.")})
    fault = _fault_locked(fault)
    _require(fault, [S.RESTORED], _("closed"))
    fault.status = S.CLOSED
    fault.cause = cause
    fault.resolution = (resolution or "").strip()
    fault.closed_at = timezone.now()
    fault.save()
    _event(fault, FaultEvent.Kind.CLOSED, actor, f"{Cause(cause).label}. {fault.resolution}".strip(". "))
    return fault


@transaction.atomic
def fault_reopen(*, fault: Fault, actor, reason: str) -> Fault:
    """Reopen a restored or closed fault; the earlier restoration stays in the timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the fault is reopened.")})
    fault = _fault_locked(fault)
    _require(fault, [S.RESTORED, S.CLOSED], _("reopened"))
    fault.status = S.IN_PROGRESS if fault.assignee_id else S.ACKNOWLEDGED
    fault.restored_at = None
    fault.closed_at = None
    fault.cause = ""
    fault.resolution = ""
    fault.reopen_count += 1
    fault.save()
    _event(fault, FaultEvent.Kind.REOPENED, actor, reason)
    notification_send(
        title=gettext_lazy("Fault %(number)s reopened"),
        body=gettext_lazy("%(reason)s"),
        params={"number": fault.number, "reason": reason},
        url=_fault_url(fault),
        users=[u for u in (fault.assignee,) if u],
        groups=[] if fault.assignee_id else [Role.ENGINEER],
        exclude=actor,
    )
    return fault


@transaction.atomic
def response_target_update(
    *, actor, severity: str, respond_minutes: int, restore_minutes: int
) -> ResponseTarget:
    target, _created = ResponseTarget.objects.select_for_update().get_or_create(
        severity=severity,
        defaults={
            "respond_minutes": DEFAULT_TARGETS[severity][0],
            "restore_minutes": DEFAULT_TARGETS[severity][1],
        },
    )
    target.respond_minutes = respond_minutes
    target.restore_minutes = restore_minutes
    if not respond_minutes or not restore_minutes or respond_minutes <= 0 or restore_minutes <= 0:
        raise ValidationError(
            _("%(severity)s: targets must be more than zero minutes.") % {"severity": target}
        )
    if restore_minutes < respond_minutes:
        raise ValidationError(
            _("%(severity)s: the restore target cannot be shorter than the response target.")
            % {"severity": target}
        )
    target.save()
    return target


# Escalation ---------------------------------------------------------------------------------


def _due_stages(fault: Fault, targets: dict, now) -> list[tuple[str, int]]:
    """Return the (target, stage) escalations this fault has reached: stage 1 when a target is
    missed, stage 2 (chief engineer) when it is overdue by as long again."""
    respond, restore = targets[fault.severity]
    due = []
    for target, minutes, met in (
        (FaultEscalation.Target.RESPONSE, respond, fault.acknowledged_at is not None),
        (FaultEscalation.Target.RESTORE, restore, fault.restored_at is not None),
    ):
        if met:
            continue
        overdue = now - fault.reported_at
        for stage in (1, 2):
            if overdue >= datetime.timedelta(minutes=minutes * stage):
                due.append((target, stage))
    return due


def faults_escalate_overdue(*, now=None) -> list[FaultEscalation]:
    """Escalate every overdue open fault once per target and stage; later runs do nothing again."""
    from .selectors import response_targets

    now = now or timezone.now()
    targets = response_targets()
    created = []
    open_faults = (
        Fault.objects.filter(status__in=Fault.OPEN_STATUSES)
        .select_related("assignee")
        .prefetch_related("escalations")
    )
    for fault in open_faults:
        done = {(e.target, e.stage) for e in fault.escalations.all()}
        for target, stage in _due_stages(fault, targets, now):
            if (target, stage) in done:
                continue
            escalation = _escalate(fault=fault, target=target, stage=stage, now=now, targets=targets)
            if escalation is not None:
                created.append(escalation)
    return created


@transaction.atomic
def _escalate(*, fault: Fault, target: str, stage: int, now, targets: dict) -> FaultEscalation | None:
    try:
        with transaction.atomic():
            escalation = FaultEscalation.objects.create(
                fault=fault, target=target, stage=stage, escalated_at=now
            )
    except IntegrityError:
        return None  # another run recorded it first
    respond, restore = targets[fault.severity]
    params = {
        "number": fault.number,
        "severity": fault.get_severity_display(),
        "item": fault.item,
        "minutes": respond if target == FaultEscalation.Target.RESPONSE else restore,
    }
    if target == FaultEscalation.Target.RESPONSE:
        title = gettext_lazy("Overdue: %(severity)s fault %(number)s (%(item)s) not acknowledged")
        body = gettext_lazy("It has waited more than %(minutes)s minutes for an engineer.")
    else:
        title = gettext_lazy("Overdue: %(severity)s fault %(number)s (%(item)s) not restored")
        body = gettext_lazy("Service was to be restored within %(minutes)s minutes.")
    if stage == FaultEscalation.Stage.ENGINEERS:
        recipients = {"groups": [Role.ENGINEER], "users": [u for u in (fault.assignee,) if u]}
    else:
        recipients = {"groups": [Role.CHIEF_ENGINEER]}
    notification_send(
        title=title,
        body=body,
        params=params,
        url=_fault_url(fault),
        level=Notification.Level.URGENT,
        **recipients,
    )
    text = _("%(target)s target missed: %(stage)s") % {
        "target": FaultEscalation.Target(target).label,
        "stage": FaultEscalation.Stage(stage).label,
    }
    _event(fault, FaultEvent.Kind.ESCALATED, None, text, at=now)
    return escalation


# Inspections --------------------------------------------------------------------------------


def _parse_number(raw, item: ChecklistItem) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except Exception as exc:  # noqa: BLE001 - any unreadable value
        raise ValidationError(
            {f"item_{item.pk}": _("%(item)s: enter a number.") % {"item": item.label}}
        ) from exc
    if not value.is_finite() or abs(value) >= Decimal("1000000"):
        raise ValidationError({f"item_{item.pk}": _("%(item)s: enter a number.") % {"item": item.label}})
    return value.quantize(Decimal("0.01"))


def _judge(item: ChecklistItem, answer) -> dict:
    """Turn one answer into result fields, deciding whether it is abnormal."""
    key = f"item_{item.pk}"
    if item.kind == ChecklistItem.Kind.PASS_FAIL:
        if answer in (True, "pass", "true", "1", "on"):
            return {"passed": True, "abnormal": False}
        if answer in (False, "fail", "false", "0"):
            return {"passed": False, "abnormal": True}
        raise ValidationError({key: _("%(item)s: choose normal or abnormal.") % {"item": item.label}})
    if item.kind == ChecklistItem.Kind.NUMBER:
        if answer in (None, ""):
            raise ValidationError({key: _("%(item)s: enter the reading.") % {"item": item.label}})
        value = _parse_number(answer, item)
        low = item.min_value is not None and value < item.min_value
        high = item.max_value is not None and value > item.max_value
        return {"value": value, "abnormal": low or high}
    return {"text": str(answer or "").strip()[:500], "abnormal": False}


def _abnormal_symptom(item: ChecklistItem, result: InspectionResult) -> str:
    if item.kind == ChecklistItem.Kind.NUMBER:
        return _("Inspection: %(item)s is %(value)s, outside %(limits)s.") % {
            "item": item.label,
            "value": result.display_value(),
            "limits": item.limits_display(),
        }
    return _("Inspection: %(item)s is abnormal.") % {"item": item.label}


@transaction.atomic
def inspection_round_record(
    *,
    template: ChecklistTemplate,
    actor,
    answers: dict,
    notes: str = "",
    day: datetime.date | None = None,
) -> InspectionRound:
    """Record a round: every item answered; each abnormal item opens exactly one fault linked to the round.

    ``answers`` maps item pk to the answer (pass/fail, a number, text).
    """
    if not template.active:
        raise ValidationError(_("The checklist %(name)s is no longer in use.") % {"name": template.name})
    day = day or timezone.localdate()
    slot = template.slot_for(day)
    items = list(template.items.all())
    if not items:
        raise ValidationError(_("The checklist %(name)s has no items.") % {"name": template.name})
    judged = []
    errors = {}
    for item in items:
        try:
            judged.append((item, _judge(item, answers.get(item.pk, answers.get(str(item.pk))))))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    existing = (
        InspectionRound.objects.filter(template=template, slot=slot).select_related("inspector").first()
    )
    if existing:
        raise ValidationError(
            _("The %(name)s round for %(slot)s was already recorded by %(inspector)s.")
            % {"name": template.name, "slot": slot, "inspector": existing.inspector}
        )
    try:
        with transaction.atomic():
            round_ = InspectionRound.objects.create(
                template=template,
                slot=slot,
                inspector=actor,
                notes=(notes or "").strip(),
                abnormal_count=sum(1 for _i, fields in judged if fields["abnormal"]),
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("The %(name)s round for %(slot)s was already recorded.") % {"name": template.name, "slot": slot}
        ) from exc
    results = InspectionResult.objects.bulk_create(
        [InspectionResult(round=round_, item=item, **fields) for item, fields in judged]
    )
    for result, (item, fields) in zip(results, judged, strict=True):
        if fields["abnormal"]:
            result.item = item
            fault_report(
                actor=actor,
                item_kind=ItemKind.EQUIPMENT,
                item=f"{template.room} · {item.label}"[:100],
                symptom=_abnormal_symptom(item, result),
                severity=Severity.MINOR,
                channel=Channel.INSPECTION,
                contact=actor.extension or "",
                inspection_result=result,
            )
    return round_


# Access log ---------------------------------------------------------------------------------


def is_room_staff(user) -> bool:
    return user is not None and user.is_active and user.has_role(*ROOM_STAFF_ROLES)


@transaction.atomic
def access_entry_record(
    *,
    actor,
    purpose: str,
    person=None,
    person_name: str = "",
    organisation: str = "",
    escort=None,
    entered_at: datetime.datetime | None = None,
) -> AccessEntry:
    """Log an entry to the equipment room; anyone who is not room staff must have a staff escort."""
    person_name = (person_name or "").strip() or (person.get_full_name() if person else "")
    if not person_name:
        raise ValidationError({"person_name": _("Enter the name of the person entering the room.")})
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Enter the purpose of the visit.")})
    staff = is_room_staff(person)
    if not staff and escort is None:
        raise ValidationError(
            {
                "escort": _(
                    "%(name)s is not equipment-room staff and may only enter with an escort: choose who escorts them."
                )
                % {"name": person_name}
            }
        )
    if escort is not None:
        if not is_room_staff(escort):
            raise ValidationError(
                {
                    "escort": _("%(name)s is not equipment-room staff and cannot escort visitors.")
                    % {"name": escort}
                }
            )
        if person is not None and escort.pk == person.pk:
            raise ValidationError({"escort": _("Nobody can escort themselves.")})
    now = timezone.now()
    entered_at = entered_at or now
    if entered_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"entered_at": _("The time in cannot be in the future.")})
    if person is not None and AccessEntry.objects.filter(person=person, left_at__isnull=True).exists():
        raise ValidationError(
            {"person": _("%(name)s is already in the room; sign them out first.") % {"name": person_name}}
        )
    entry = AccessEntry(
        person=person,
        person_name=person_name[:100],
        organisation=(organisation or "").strip(),
        purpose=purpose.strip(),
        escort=escort if not staff or escort else None,
        room_staff=staff,
        entered_at=entered_at,
        recorded_by=actor,
    )
    entry.full_clean()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"person": _("%(name)s is already in the room; sign them out first.") % {"name": person_name}}
        ) from exc
    return entry


@transaction.atomic
def access_entry_sign_out(
    *, entry: AccessEntry, actor, left_at: datetime.datetime | None = None
) -> AccessEntry:
    entry = AccessEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.left_at is not None:
        raise ValidationError(_("%(name)s has already left the room.") % {"name": entry.person_name})
    left_at = left_at or timezone.now()
    if left_at < entry.entered_at:
        raise ValidationError({"left_at": _("The time out cannot be before the time in.")})
    entry.left_at = left_at
    entry.save(update_fields=["left_at"])
    audit_log_event(obj=entry, actor=actor, message=f"signed out at {left_at.isoformat()}")
    return entry


# Documents ----------------------------------------------------------------------------------

DOCUMENT_EXTENSIONS = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".vsdx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".dwg": (b"AC10",),
    ".dxf": (),
    ".txt": (),
    ".csv": (),
}


def document_max_bytes() -> int:
    return getattr(settings, "FAULTS_DOCUMENT_MAX_BYTES", settings.TELROOM_UPLOAD_MAX_BYTES)


def _check_upload(upload) -> tuple[str, str]:
    """Refuse a file that is too large or of a forbidden type before anything is written."""
    original = Path(upload.name or "").name
    suffix = Path(original).suffix.lower()
    if suffix not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("Files of type %(type)s are not accepted; allowed: %(allowed)s.")
                % {"type": suffix or "?", "allowed": ", ".join(sorted(DOCUMENT_EXTENSIONS))}
            }
        )
    limit = document_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    signatures = DOCUMENT_EXTENSIONS[suffix]
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {"file": _("The file's content does not match its type %(type)s.") % {"type": suffix}}
        )
    if not signatures and b"\x00" in head:
        raise ValidationError(
            {"file": _("The file's content does not match its type %(type)s.") % {"type": suffix}}
        )
    try:
        safe = get_valid_filename(original)
    except Exception:  # noqa: BLE001 - a name made only of forbidden characters
        safe = f"file{suffix}"
    return safe[:200], suffix


def _store_version(*, document: Document, actor, upload, note: str, safe_name: str) -> DocumentVersion:
    number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=safe_name,
        size=upload.size,
        note=(note or "").strip()[:200],
        uploaded_by=actor,
    )
    version.file.save(safe_name, upload, save=False)
    # If the row cannot be written, the stored file must not stay behind.
    try:
        with transaction.atomic():
            version.save()
            document.current_version = number
            document.save(update_fields=["current_version", "updated_at"])
    except Exception:
        version.file.delete(save=False)
        raise
    return version


@transaction.atomic
def document_create(
    *, actor, title: str, category: str, upload, description: str = "", note: str = ""
) -> Document:
    """Put a new document on the shelf with its first version."""
    safe_name, _suffix = _check_upload(upload)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Enter the document's title.")})
    if Document.objects.filter(title=title).exists():
        raise ValidationError(
            {"title": _("A document called %(title)s is already on the shelf.") % {"title": title}}
        )
    document = Document(
        title=title, category=category, description=(description or "").strip(), created_by=actor
    )
    document.full_clean()
    document.save()
    _store_version(document=document, actor=actor, upload=upload, note=note, safe_name=safe_name)
    return document


@transaction.atomic
def document_version_add(*, document: Document, actor, upload, note: str = "") -> DocumentVersion:
    """Add a new version of a document; earlier versions stay available."""
    safe_name, _suffix = _check_upload(upload)
    document = Document.objects.select_for_update().get(pk=document.pk)
    return _store_version(document=document, actor=actor, upload=upload, note=note, safe_name=safe_name)


# Checklist templates ------------------------------------------------------------------------


@transaction.atomic
def checklist_template_save(
    *,
    actor,
    name: str,
    room: str,
    frequency: str,
    active: bool = True,
    template: ChecklistTemplate | None = None,
) -> ChecklistTemplate:
    """Create a checklist template, or change the one given."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the checklist's name.")})
    clash = ChecklistTemplate.objects.filter(name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise ValidationError({"name": _("A checklist called %(name)s already exists.") % {"name": name}})
    template = template or ChecklistTemplate()
    template.name = name
    template.room = (room or "").strip() or template.room
    template.frequency = frequency
    template.active = active
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def checklist_item_add(
    *,
    actor,
    template: ChecklistTemplate,
    label: str,
    kind: str,
    unit: str = "",
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> ChecklistItem:
    """Add an item at the end of a checklist; limits only for numbers, lowest not above highest."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Enter the item's name.")})
    if template.items.filter(label=label).exists():
        raise ValidationError({"label": _("The checklist already has an item %(label)s.") % {"label": label}})
    if kind != ChecklistItem.Kind.NUMBER:
        min_value = max_value = None
        unit = ""
    elif min_value is not None and max_value is not None and min_value > max_value:
        raise ValidationError(
            {"max_value": _("%(label)s: the highest normal value is below the lowest.") % {"label": label}}
        )
    position = (template.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = ChecklistItem(
        template=template,
        position=position,
        label=label,
        kind=kind,
        unit=(unit or "").strip(),
        min_value=min_value,
        max_value=max_value,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def checklist_item_remove(*, actor, item: ChecklistItem) -> None:
    """Remove an item no round has answered yet; answered items stay so past rounds keep their meaning."""
    if InspectionResult.objects.filter(item=item).exists():
        raise ValidationError(
            _(
                "%(label)s has been answered in past rounds and cannot be removed; make a new checklist instead."
            )
            % {"label": item.label}
        )
    item.delete()
