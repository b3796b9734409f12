"""Reads of function-change requests and adjustment records.

For other apps (work orders link a function-change request and wait for its approval):

- ``function_change_is_approved(*, request_id) -> bool``: True when the request exists
  and the chief engineer approved it (it is approved, implemented or verified). A
  request edited after its approval is pending again, so this turns False until it is
  approved anew; rejected, withdrawn, pending and draft requests give False.
- ``function_change_get(*, request_id, user=None) -> FunctionChange | None``: the request
  with its requester and approver, or None when it does not exist (or, when ``user`` is
  given, that user may not see it). Use ``.code`` ("FC-00012"), ``.title``,
  ``.get_status_display()``, ``.is_approved`` and ``.get_absolute_url()``.
- ``function_change_linkable(*, user=None)``: requests a work order may link (not
  withdrawn, not yet verified), newest first, for a choice field.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from .models import AdjustmentRecord, FunctionChange, FunctionChangeEvent, FunctionChangeRevision

Status = FunctionChange.Status


def user_can_view_function_changes(user) -> bool:
    return user.is_authenticated and user.has_perm("approvals.view_functionchange")


def function_change_visible(*, user) -> QuerySet[FunctionChange]:
    """Return the requests ``user`` may see: every request for those with the view permission, else their own."""
    qs = FunctionChange.objects.select_related("requester", "decided_by")
    if user_can_view_function_changes(user):
        return qs
    return qs.filter(requester_id=user.pk)


def function_change_list(
    *, user, status: str = "", kind: str = "", mine: bool = False, q: str = ""
) -> QuerySet[FunctionChange]:
    qs = function_change_visible(user=user)
    if mine:
        qs = qs.filter(requester_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        q = q.strip()
        condition = (
            Q(title__icontains=q)
            | Q(target_extensions__icontains=q)
            | Q(target_pbx__icontains=q)
            | Q(reason__icontains=q)
        )
        code = q.upper().removeprefix("FC-")
        if code.isdigit():
            condition |= Q(pk=int(code))
        qs = qs.filter(condition)
    return qs.order_by("-created_at", "-pk")


def function_change_pending_queue() -> QuerySet[FunctionChange]:
    """Return the requests waiting for a decision, oldest first."""
    return (
        FunctionChange.objects.filter(status=Status.SUBMITTED)
        .select_related("requester")
        .order_by("submitted_at", "pk")
    )


def function_change_get(*, request_id, user=None) -> FunctionChange | None:
    """Return one request (or None when it does not exist or ``user`` may not see it)."""
    qs = (
        function_change_visible(user=user)
        if user is not None
        else FunctionChange.objects.select_related("requester", "decided_by")
    )
    try:
        return qs.select_related("implemented_by", "verified_by", "decided_revision").get(pk=request_id)
    except (FunctionChange.DoesNotExist, ValueError, TypeError):
        return None


def function_change_is_approved(*, request_id) -> bool:
    """Return whether the chief engineer's approval holds for this request (see the module docstring)."""
    try:
        return FunctionChange.objects.filter(
            pk=request_id, status__in=FunctionChange.DECIDED_STATUSES
        ).exists()
    except (ValueError, TypeError):
        return False


def function_change_linkable(*, user=None) -> QuerySet[FunctionChange]:
    qs = FunctionChange.objects.exclude(status__in=[Status.WITHDRAWN, Status.VERIFIED])
    if user is not None and not user_can_view_function_changes(user):
        qs = qs.filter(requester_id=user.pk)
    return qs.select_related("requester").order_by("-created_at", "-pk")


def function_change_history(*, change: FunctionChange) -> QuerySet[FunctionChangeEvent]:
    return change.events.select_related("actor", "revision").order_by("at", "pk")


def function_change_changes_since_last_decision(*, change: FunctionChange):
    """Return (decided revision, rows of label/then/now) when the pending version revises a decided one."""
    if change.revision < 2:
        return None, []
    revisions = {
        r.number: r for r in FunctionChangeRevision.objects.filter(request=change).order_by("number")
    }
    decided_numbers = list(
        change.events.filter(action__in=["approved", "rejected"], revision__isnull=False)
        .order_by("-at", "-pk")
        .values_list("revision__number", flat=True)[:1]
    )
    current = revisions.get(change.revision)
    if not decided_numbers or current is None or decided_numbers[0] == change.revision:
        return None, []
    decided = revisions[decided_numbers[0]]
    return decided, current.differences_from(decided)


def function_change_approvers():
    """Return the active users who may approve (through a role, directly, or as superuser)."""
    User = get_user_model()
    perm = Permission.objects.filter(content_type__app_label="approvals", codename="approve_functionchange")
    return (
        User.objects.filter(
            Q(groups__permissions__in=perm) | Q(user_permissions__in=perm) | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def function_change_counts_for(*, user) -> dict[str, int]:
    """Return how many of the user's own requests are in each state."""
    from django.db.models import Count

    rows = FunctionChange.objects.filter(requester=user).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def function_change_awaiting_implementation() -> QuerySet[FunctionChange]:
    return (
        FunctionChange.objects.filter(status=Status.APPROVED)
        .select_related("requester", "decided_by")
        .order_by("planned_start", "pk")
    )


def function_change_awaiting_verification(*, user) -> QuerySet[FunctionChange]:
    qs = FunctionChange.objects.filter(status=Status.IMPLEMENTED).select_related(
        "requester", "implemented_by"
    )
    if not user.has_perm("approvals.verify_functionchange"):
        qs = qs.filter(requester=user)
    return qs.order_by("implemented_at", "pk")


def adjustment_record_list(
    *,
    kind: str = "",
    source: str = "",
    q: str = "",
    date_from=None,
    date_to=None,
    performed_by=None,
) -> QuerySet[AdjustmentRecord]:
    qs = AdjustmentRecord.objects.select_related("performed_by", "request")
    if kind:
        qs = qs.filter(kind=kind)
    if source:
        qs = qs.filter(source=source)
    if performed_by:
        qs = qs.filter(performed_by=performed_by)
    if date_from:
        qs = qs.filter(performed_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(performed_at__date__lte=date_to)
    if q:
        q = q.strip()
        condition = (
            Q(what__icontains=q)
            | Q(target_extensions__icontains=q)
            | Q(target_pbx__icontains=q)
            | Q(before_value__icontains=q)
            | Q(after_value__icontains=q)
            | Q(reason__icontains=q)
        )
        code = q.upper()
        if code.startswith("ADJ-") and code[4:].isdigit():
            condition |= Q(pk=int(code[4:]))
        elif code.startswith("FC-") and code[3:].isdigit():
            condition |= Q(request_id=int(code[3:]))
        qs = qs.filter(condition)
    return qs.order_by("-performed_at", "-pk")


def function_change_actions_for(*, change: FunctionChange, user) -> set[str]:
    """Return what ``user`` may do with ``change`` now (the services enforce the same rules)."""
    actions: set[str] = set()
    own = change.requester_id == user.pk
    status = change.status
    if own and status in FunctionChange.OPEN_STATUSES:
        actions.add("edit")
    if own and status in (Status.DRAFT, Status.REJECTED):
        actions.add("submit")
    if status == Status.SUBMITTED and not own and user.has_perm("approvals.approve_functionchange"):
        actions.add("decide")
    if status in FunctionChange.OPEN_STATUSES and (own or user.has_perm("approvals.approve_functionchange")):
        actions.add("withdraw")
    if status == Status.APPROVED and user.has_perm("approvals.implement_functionchange"):
        actions.add("implement")
    if status == Status.IMPLEMENTED and (own or user.has_perm("approvals.verify_functionchange")):
        actions.add("verify")
    return actions
