"""Every change to a function-change request and to the adjustment records.

Each transition locks the request's row, checks who may do it and from which state,
records an event (who, when, comment) and sends its notifications after commit.
Permission failures raise ``PermissionDenied``; a transition that the state does not
allow raises ``ValidationError`` with a sentence for the user.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.services import notification_send

from .models import (
    AdjustmentRecord,
    ChangeKind,
    FunctionChange,
    FunctionChangeEvent,
    FunctionChangeRevision,
    TargetScope,
)
from .selectors import function_change_approvers

Status = FunctionChange.Status
Action = FunctionChangeEvent.Action

PERM_ADD = "approvals.add_functionchange"
PERM_APPROVE = "approvals.approve_functionchange"
PERM_IMPLEMENT = "approvals.implement_functionchange"
PERM_VERIFY = "approvals.verify_functionchange"
PERM_ADD_ADJUSTMENT = "approvals.add_adjustmentrecord"

EXTENSION_RE = re.compile(r"^[0-9]{2,12}$")
# Implementation time may be given a few minutes ahead of the server's clock, not more.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


def normalise_extensions(value: str) -> str:
    """Return extension numbers as one comma-separated list, or raise ValidationError naming the bad one."""
    numbers = []
    for token in re.split(r"[\s,，;；、]+", value or ""):
        if not token:
            continue
        if not EXTENSION_RE.match(token):
            raise ValidationError(
                {
                    "target_extensions": _("“%(number)s” is not an extension number: use 2 to 12 digits.")
                    % {"number": token}
                }
            )
        if token not in numbers:
            numbers.append(token)
    return ", ".join(numbers)


def _clean_target(values: dict) -> dict:
    scope = values.get("target_scope")
    values["target_extensions"] = normalise_extensions(values.get("target_extensions", ""))
    values["target_pbx"] = (values.get("target_pbx") or "").strip()
    if scope == TargetScope.EXTENSIONS and not values["target_extensions"]:
        raise ValidationError({"target_extensions": _("Name at least one extension number.")})
    if scope == TargetScope.PBX and not values["target_pbx"]:
        raise ValidationError({"target_pbx": _("Name the PBX.")})
    if scope == TargetScope.SYSTEM:
        values["target_extensions"] = ""
    return values


def _validate_content(change: FunctionChange) -> None:
    if change.planned_start and change.planned_end and change.planned_end < change.planned_start:
        raise ValidationError({"planned_end": _("The planned end is before the planned start.")})
    change.full_clean(
        exclude=["requester", "decided_by", "decided_revision", "implemented_by", "verified_by"]
    )


def _lock(change: FunctionChange | int) -> FunctionChange:
    pk = change.pk if isinstance(change, FunctionChange) else change
    return FunctionChange.objects.select_for_update(of=("self",)).select_related("requester").get(pk=pk)


def _event(*, change, action, from_status, actor, comment="", revision=None) -> FunctionChangeEvent:
    return FunctionChangeEvent.objects.create(
        request=change,
        action=action,
        from_status=from_status,
        to_status=change.status,
        actor=actor,
        at=timezone.now(),
        comment=comment,
        revision=revision,
    )


def _snapshot(*, change, actor) -> FunctionChangeRevision:
    change.revision += 1
    return FunctionChangeRevision.objects.create(
        request=change, number=change.revision, data=change.content(), created_by=actor
    )


def _clear_decision(change: FunctionChange) -> None:
    change.decided_by = None
    change.decided_at = None
    change.decision_comment = ""
    change.decided_revision = None


def _notify_approvers(*, change, title, body) -> None:
    approvers = list(function_change_approvers().exclude(pk=change.requester_id))
    if not approvers:
        return
    notification_send(
        title=title,
        body=body,
        params={"code": change.code, "title": change.title, "requester": change.requester.get_full_name()},
        url=reverse("approvals:detail", args=[change.pk]),
        users=approvers,
    )


def _require_requester(change, actor, message):
    if change.requester_id != actor.pk:
        raise PermissionDenied(message)


@transaction.atomic
def function_change_create(*, actor, submit: bool = False, **values) -> FunctionChange:
    """Draft a new request (and submit it at once when ``submit``)."""
    if not actor.has_perm(PERM_ADD):
        raise PermissionDenied(_("You may not request function changes."))
    unknown = set(values) - set(FunctionChange.CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    values = _clean_target(dict(values))
    change = FunctionChange(requester=actor, status=Status.DRAFT, **values)
    _validate_content(change)
    change.save()
    _event(change=change, action=Action.CREATED, from_status="", actor=actor)
    if submit:
        change = function_change_submit(actor=actor, change=change)
    return change


@transaction.atomic
def function_change_update(
    *, actor, change: FunctionChange | int, comment: str = "", **values
) -> FunctionChange:
    """Edit a request's content.

    Drafts and rejected requests stay as they are. A request that is pending or already
    approved goes back to pending as a new version: the earlier decision stays in the
    history with the version it applied to, and the approvers are told again.
    """
    change = _lock(change)
    _require_requester(change, actor, _("Only the person who made this request may edit it."))
    if change.status not in FunctionChange.OPEN_STATUSES:
        raise ValidationError(
            _("A request that is %(status)s can no longer be edited.")
            % {"status": change.get_status_display()}
        )
    unknown = set(values) - set(FunctionChange.CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    before = change.content()
    values = _clean_target({**{f: getattr(change, f) for f in FunctionChange.CONTENT_FIELDS}, **values})
    for name, value in values.items():
        setattr(change, name, value)
    _validate_content(change)
    if change.content() == before:
        return change
    from_status = change.status
    if from_status in (Status.SUBMITTED, Status.APPROVED):
        _clear_decision(change)
        change.status = Status.SUBMITTED
        change.submitted_at = timezone.now()
        revision = _snapshot(change=change, actor=actor)
        change.save()
        _event(
            change=change,
            action=Action.RESUBMITTED,
            from_status=from_status,
            actor=actor,
            comment=comment,
            revision=revision,
        )
        _notify_approvers(
            change=change,
            title=_("Function change %(code)s was edited and needs your approval again"),
            body=_(
                "%(requester)s changed “%(title)s” after submitting it; the earlier decision no longer applies."
            ),
        )
    else:
        change.save()
        _event(change=change, action=Action.EDITED, from_status=from_status, actor=actor, comment=comment)
    return change


@transaction.atomic
def function_change_submit(*, actor, change: FunctionChange | int, comment: str = "") -> FunctionChange:
    """Send a draft (or a revised rejected request) to the chief engineer."""
    change = _lock(change)
    _require_requester(change, actor, _("Only the person who made this request may submit it."))
    if change.status not in (Status.DRAFT, Status.REJECTED):
        raise ValidationError(
            _("Only a draft or a rejected request can be submitted; this one is %(status)s.")
            % {"status": change.get_status_display()}
        )
    from_status = change.status
    _clear_decision(change)
    change.status = Status.SUBMITTED
    change.submitted_at = timezone.now()
    revision = _snapshot(change=change, actor=actor)
    change.save()
    _event(
        change=change,
        action=Action.SUBMITTED,
        from_status=from_status,
        actor=actor,
        comment=comment,
        revision=revision,
    )
    _notify_approvers(
        change=change,
        title=_("Function change %(code)s needs your approval"),
        body=_("%(requester)s asks to change: %(title)s"),
    )
    return change


def _decide(*, actor, change, approve: bool, comment: str, revision: int | None) -> FunctionChange:
    if not actor.has_perm(PERM_APPROVE):
        raise PermissionDenied(_("Only the chief engineer may approve or reject function changes."))
    change = _lock(change)
    if change.requester_id == actor.pk:
        raise PermissionDenied(_("You may not decide your own request; another approver must decide it."))
    if change.status != Status.SUBMITTED:
        raise ValidationError(
            _("This request is %(status)s, not pending approval; it may already have been decided.")
            % {"status": change.get_status_display()}
        )
    if revision is not None and revision != change.revision:
        raise ValidationError(
            _(
                "The request was changed while you were reading it (now version %(number)s). Read it again, then decide."
            )
            % {"number": change.revision}
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("Give the reason for the rejection.")})
    decided = FunctionChangeRevision.objects.get(request=change, number=change.revision)
    from_status = change.status
    change.status = Status.APPROVED if approve else Status.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_comment = comment
    change.decided_revision = decided
    try:
        with transaction.atomic():
            change.save()
    except IntegrityError as exc:
        raise PermissionDenied(
            _("You may not decide your own request; another approver must decide it.")
        ) from exc
    _event(
        change=change,
        action=Action.APPROVED if approve else Action.REJECTED,
        from_status=from_status,
        actor=actor,
        comment=comment,
        revision=decided,
    )
    notification_send(
        title=_("Function change %(code)s was approved")
        if approve
        else _("Function change %(code)s was rejected"),
        body=_("%(approver)s: %(comment)s") if comment else "",
        params={"code": change.code, "approver": actor.get_full_name(), "comment": comment},
        url=reverse("approvals:detail", args=[change.pk]),
        users=[change.requester],
        level="info" if approve else "warning",
    )
    return change


@transaction.atomic
def function_change_approve(
    *, actor, change: FunctionChange | int, comment: str = "", revision: int | None = None
) -> FunctionChange:
    """Approve the pending version (``revision``, when given, must be the one the approver read)."""
    return _decide(actor=actor, change=change, approve=True, comment=comment, revision=revision)


@transaction.atomic
def function_change_reject(
    *, actor, change: FunctionChange | int, comment: str, revision: int | None = None
) -> FunctionChange:
    """Reject the pending version; a rejection needs a comment."""
    return _decide(actor=actor, change=change, approve=False, comment=comment, revision=revision)


@transaction.atomic
def function_change_withdraw(*, actor, change: FunctionChange | int, comment: str = "") -> FunctionChange:
    """Withdraw a request that has not been implemented (its requester or an approver)."""
    change = _lock(change)
    if change.requester_id != actor.pk and not actor.has_perm(PERM_APPROVE):
        raise PermissionDenied(
            _("Only the person who made this request or the chief engineer may withdraw it.")
        )
    if change.status not in FunctionChange.OPEN_STATUSES:
        raise ValidationError(
            _("A request that is %(status)s can no longer be withdrawn.")
            % {"status": change.get_status_display()}
        )
    from_status = change.status
    change.status = Status.WITHDRAWN
    change.save()
    _event(change=change, action=Action.WITHDRAWN, from_status=from_status, actor=actor, comment=comment)
    if actor.pk != change.requester_id:
        notification_send(
            title=_("Function change %(code)s was withdrawn"),
            body=_("%(actor)s withdrew “%(title)s”. %(comment)s"),
            params={
                "code": change.code,
                "actor": actor.get_full_name(),
                "title": change.title,
                "comment": comment,
            },
            url=reverse("approvals:detail", args=[change.pk]),
            users=[change.requester],
        )
    return change


@transaction.atomic
def function_change_implement(
    *, actor, change: FunctionChange | int, implemented_at: datetime.datetime | None = None, notes: str = ""
) -> FunctionChange:
    """Mark an approved request as carried out, and write its adjustment record."""
    if not actor.has_perm(PERM_IMPLEMENT):
        raise PermissionDenied(_("Only an engineer may implement function changes."))
    change = _lock(change)
    if change.status in (Status.IMPLEMENTED, Status.VERIFIED):
        raise ValidationError(_("This request has already been implemented."))
    if change.status != Status.APPROVED:
        raise ValidationError(
            _(
                "This request is %(status)s: it has not been approved by the chief engineer, "
                "so it may not be implemented."
            )
            % {"status": change.get_status_display()}
        )
    now = timezone.now()
    implemented_at = implemented_at or now
    if implemented_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"implemented_at": _("The time of implementation is in the future.")})
    if implemented_at < change.decided_at - FUTURE_TOLERANCE:
        raise ValidationError({"implemented_at": _("The time of implementation is before the approval.")})
    from_status = change.status
    change.status = Status.IMPLEMENTED
    change.implemented_by = actor
    change.implemented_at = implemented_at
    change.implementation_notes = notes
    change.save()
    approved = change.decided_revision.data
    try:
        with transaction.atomic():
            AdjustmentRecord.objects.create(
                source=AdjustmentRecord.Source.REQUEST,
                request=change,
                kind=approved["kind"],
                what=approved["title"],
                target_scope=approved["target_scope"],
                target_extensions=approved["target_extensions"],
                target_pbx=approved["target_pbx"],
                before_value=approved["current_value"],
                after_value=approved["wanted_value"],
                reason=approved["reason"],
                notes=notes,
                performed_by=actor,
                performed_at=implemented_at,
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError(_("This request has already been implemented.")) from exc
    _event(
        change=change,
        action=Action.IMPLEMENTED,
        from_status=from_status,
        actor=actor,
        comment=notes,
        revision=change.decided_revision,
    )
    recipients = {change.requester_id, change.decided_by_id} - {actor.pk}
    if recipients:
        notification_send(
            title=_("Function change %(code)s was implemented and awaits verification"),
            body=_("%(actor)s implemented “%(title)s”."),
            params={"code": change.code, "actor": actor.get_full_name(), "title": change.title},
            url=reverse("approvals:detail", args=[change.pk]),
            users=sorted(recipients),
        )
    return change


@transaction.atomic
def function_change_verify(*, actor, change: FunctionChange | int, comment: str = "") -> FunctionChange:
    """Confirm an implemented change works as approved (its requester or the chief engineer); this closes it."""
    change = _lock(change)
    if change.requester_id != actor.pk and not actor.has_perm(PERM_VERIFY):
        raise PermissionDenied(
            _("Only the person who made this request or the chief engineer may verify it.")
        )
    if change.status != Status.IMPLEMENTED:
        raise ValidationError(
            _("Only an implemented request can be verified; this one is %(status)s.")
            % {"status": change.get_status_display()}
        )
    from_status = change.status
    change.status = Status.VERIFIED
    change.verified_by = actor
    change.verified_at = timezone.now()
    change.save()
    _event(change=change, action=Action.VERIFIED, from_status=from_status, actor=actor, comment=comment)
    return change


@transaction.atomic
def adjustment_record_create(
    *,
    actor,
    kind: str,
    what: str,
    target_scope: str,
    before_value: str,
    after_value: str,
    reason: str,
    performed_at: datetime.datetime,
    target_extensions: str = "",
    target_pbx: str = "",
    notes: str = "",
    performed_by=None,
) -> AdjustmentRecord:
    """Log a routine adjustment by hand (one that needs no approval)."""
    if not actor.has_perm(PERM_ADD_ADJUSTMENT):
        raise PermissionDenied(_("You may not log adjustment records."))
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("Choose a kind of change.")})
    values = _clean_target(
        {"target_scope": target_scope, "target_extensions": target_extensions, "target_pbx": target_pbx}
    )
    if performed_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"performed_at": _("The time of the adjustment is in the future.")})
    record = AdjustmentRecord(
        source=AdjustmentRecord.Source.MANUAL,
        kind=kind,
        what=what,
        before_value=before_value,
        after_value=after_value,
        reason=reason,
        notes=notes,
        performed_by=performed_by or actor,
        performed_at=performed_at,
        recorded_by=actor,
        **values,
    )
    record.full_clean(exclude=["performed_by", "recorded_by", "request"])
    record.save()
    return record


REMIND_PENDING_AFTER = datetime.timedelta(hours=24)


@transaction.atomic
def function_change_send_reminders(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind approvers of requests waiting over a day, and requesters of approved changes past their window.

    Run once a day (Celery beat); return how many reminders of each kind were sent.
    """
    now = now or timezone.now()
    waiting = list(
        FunctionChange.objects.filter(status=Status.SUBMITTED, submitted_at__lte=now - REMIND_PENDING_AFTER)
        .values_list("pk", "requester_id")
        .order_by("pk")
    )
    sent = {"approvers": 0, "overdue": 0}
    if waiting:
        for approver in function_change_approvers():
            count = sum(1 for _pk, requester_id in waiting if requester_id != approver.pk)
            if not count:
                continue
            notification_send(
                title=_("%(count)s function changes have waited more than a day for your approval"),
                params={"count": count},
                url=reverse("approvals:queue"),
                users=[approver],
                level="warning",
            )
            sent["approvers"] += 1
    overdue = FunctionChange.objects.filter(status=Status.APPROVED, planned_end__lt=now).order_by("pk")
    for change in overdue:
        notification_send(
            title=_("Approved function change %(code)s is past its planned window and not implemented"),
            body=_("Implement “%(title)s” and record it, or withdraw the request."),
            params={"code": change.code, "title": change.title},
            url=reverse("approvals:detail", args=[change.pk]),
            users=[change.requester_id],
            level="warning",
        )
        sent["overdue"] += 1
    return sent
