"""Writes of the front-desk phone: lines, the call log, callbacks and personal-use requests."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Role
from apps.core.audit import audit_log_event
from apps.core.models import Notification
from apps.core.services import notification_send

from .models import Call, Callback, Line, UseRequest

LINE_FIELDS = (
    "number",
    "name",
    "place",
    "purpose",
    "greeting",
    "allowed_roles",
    "work_start",
    "work_end",
    "callback_minutes",
    "is_active",
)


def _require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))


def _save(obj, *, unique_field: str | None = None, unique_message: str = "") -> None:
    """Validate and save ``obj``; turn a lost race on a unique field into a clear message."""
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if unique_field:
            raise ValidationError({unique_field: unique_message}) from exc
        raise


@transaction.atomic
def line_create(*, actor, **fields) -> Line:
    """Register a front-desk line with its greeting, answering roles and working hours."""
    _require_perm(actor, "frontdesk.add_line")
    line = Line(**{k: v for k, v in fields.items() if k in LINE_FIELDS})
    _save(line, unique_field="number", unique_message=_("A line with this number already exists."))
    return line


@transaction.atomic
def line_update(*, actor, line: Line, **fields) -> Line:
    """Change a line's details; calls already logged keep what was recorded then."""
    _require_perm(actor, "frontdesk.change_line")
    line = Line.objects.select_for_update().get(pk=line.pk)
    for key, value in fields.items():
        if key in LINE_FIELDS:
            setattr(line, key, value)
    _save(line, unique_field="number", unique_message=_("A line with this number already exists."))
    return line


@transaction.atomic
def call_log(
    *,
    actor,
    line: Line,
    rings: int,
    kind: str,
    request: str,
    outcome: str,
    caller_name: str = "",
    caller_number: str = "",
    confirmed: bool = False,
    answered_at: datetime.datetime | None = None,
) -> Call:
    """Record an answered call; a promised callback gets its deadline from the line.

    A person whose role may not answer the line during its working hours is still
    recorded (the call happened), with ``answerer_allowed`` false.
    """
    _require_perm(actor, "frontdesk.add_call")
    if not line.is_active:
        raise ValidationError({"line": _("Line %(number)s is not in use.") % {"number": line.number}})
    answered_at = answered_at or timezone.now()
    in_hours = line.in_working_hours(answered_at)
    call = Call(
        line=line,
        answered_by=actor,
        answered_at=answered_at,
        rings=rings,
        caller_name=caller_name.strip(),
        caller_number=caller_number.strip(),
        kind=kind,
        request=request.strip(),
        confirmed=confirmed,
        outcome=outcome,
        answerer_allowed=line.may_answer(actor) or not in_hours,
        in_working_hours=in_hours,
    )
    call.full_clean()
    call.save()
    if outcome == Call.Outcome.CALLBACK:
        Callback.objects.create(
            call=call, due_at=answered_at + datetime.timedelta(minutes=line.callback_minutes)
        )
    if not call.answerer_allowed:
        audit_log_event(
            obj=call,
            actor=actor,
            message=f"answered by a role not allowed on line {line.number}",
        )
    return call


@transaction.atomic
def callback_complete(*, actor, callback: Callback, note: str = "", done_at=None) -> Callback:
    """Mark a promised callback as made; a second attempt is refused with a clear message."""
    _require_perm(actor, "frontdesk.change_callback")
    callback = Callback.objects.select_for_update().select_related("call").get(pk=callback.pk)
    if callback.done_at is not None:
        raise ValidationError(
            _("This callback was already made at %(time)s.")
            % {"time": timezone.localtime(callback.done_at).strftime("%Y-%m-%d %H:%M")}
        )
    callback.done_at = done_at or timezone.now()
    if callback.done_at < callback.call.answered_at:
        raise ValidationError({"done_at": _("The callback cannot be made before the call.")})
    callback.done_by = actor
    callback.note = note.strip()
    callback.save(update_fields=["done_at", "done_by", "note", "updated_at"])
    return callback


@transaction.atomic
def callbacks_notify_overdue(*, now: datetime.datetime | None = None) -> int:
    """Tell the shift leaders, once per callback, that a promised callback is overdue."""
    now = now or timezone.now()
    # Locks in pk order; rows another run holds are skipped, so no callback is announced twice.
    overdue = list(
        Callback.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(done_at__isnull=True, overdue_notified_at__isnull=True, due_at__lt=now)
        .select_related("call__line")
        .order_by("pk")
    )
    url = reverse("frontdesk:callback_list") + "?state=overdue"
    for callback in overdue:
        call = callback.call
        notification_send(
            title=gettext_lazy("Callback overdue: %(name)s %(number)s"),
            body=gettext_lazy(
                "The callback promised on line %(line)s to %(name)s (%(number)s) was due at %(due)s "
                "and has not been made."
            ),
            params={
                "name": call.caller_name,
                "number": call.caller_number,
                "line": call.line.number,
                "due": timezone.localtime(callback.due_at).strftime("%H:%M"),
            },
            url=url,
            groups=[Role.SHIFT_LEADER],
            level=Notification.Level.WARNING,
        )
        callback.overdue_notified_at = now
    Callback.objects.bulk_update(overdue, ["overdue_notified_at"])
    return len(overdue)


@transaction.atomic
def use_request_submit(
    *,
    actor,
    reason: str,
    line: Line | None = None,
    wanted_at: datetime.datetime | None = None,
    minutes: int = 5,
) -> UseRequest:
    """Ask the floor manager for consent to use a line or the office phone."""
    _require_perm(actor, "frontdesk.add_userequest")
    use_request = UseRequest(
        requester=actor,
        line=line,
        reason=(reason or "").strip(),
        wanted_at=wanted_at or timezone.now(),
        minutes=minutes,
    )
    use_request.full_clean()
    use_request.save()
    notification_send(
        title=gettext_lazy("Personal-use request from %(name)s"),
        body=gettext_lazy("%(name)s asks to use %(phone)s: %(reason)s"),
        params={
            "name": actor.get_full_name(),
            "phone": use_request.phone_label,
            "reason": use_request.reason,
        },
        url=reverse("frontdesk:use_request_list") + "?status=pending",
        groups=[Role.FLOOR_MANAGER],
        exclude=actor,
        email=False,
    )
    return use_request


@transaction.atomic
def use_request_decide(*, actor, use_request: UseRequest, approve: bool, comment: str = "") -> UseRequest:
    """Approve or refuse personal use: only the floor manager, never on their own request."""
    if not actor.has_role(Role.FLOOR_MANAGER) or not actor.has_perm("frontdesk.decide_userequest"):
        raise PermissionDenied(_("Only the floor manager may approve personal use of a phone."))
    use_request = UseRequest.objects.select_for_update().select_related("requester").get(pk=use_request.pk)
    if use_request.requester_id == actor.pk:
        raise PermissionDenied(_("No one may decide on their own request."))
    if use_request.status != UseRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already decided: %(status)s.") % {"status": use_request.get_status_display()}
        )
    use_request.status = UseRequest.Status.APPROVED if approve else UseRequest.Status.REFUSED
    use_request.decided_by = actor
    use_request.decided_at = timezone.now()
    use_request.decision_comment = (comment or "").strip()[:200]
    use_request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    notification_send(
        title=gettext_lazy("Personal use approved: %(phone)s")
        if approve
        else gettext_lazy("Personal use refused: %(phone)s"),
        body=gettext_lazy("Comment: %(comment)s"),
        params={"phone": use_request.phone_label, "comment": use_request.decision_comment},
        url=reverse("frontdesk:use_request_list"),
        users=[use_request.requester],
        email=False,
    )
    return use_request
