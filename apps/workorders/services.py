"""Writes of the work-order app: creating orders, moving them through their states, planning and completing.

Every transition locks the order row, re-reads its state, records who/when/why in
``OrderEvent`` and notifies the people concerned after commit. The patch table is
changed only through ``patch_table`` (which calls ``apps.patching``'s services).
"""

import datetime
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import user_recipients
from apps.core.audit import audit_actor
from apps.core.services import notification_send

from . import patch_table, rules
from .errors import PlanStepFailed, WorkOrderConflict
from .function_changes import function_change_exists, function_change_is_approved
from .models import (
    NUMBER_PREFIXES,
    OPEN_STATUSES,
    OrderEvent,
    OrderKind,
    OrderNumberCounter,
    OrderStatus,
    PlanStep,
    TerminalReservation,
    WorkOrder,
)

ORDER_FIELDS = (
    "kind",
    "department",
    "person",
    "contact_phone",
    "building",
    "floor",
    "room",
    "outlet",
    "extension",
    "assign_extension",
    "new_extension",
    "wanted_date",
    "notes",
    "function_change_request",
)
#: How a planned new extension number is held in ``TerminalReservation`` (beside terminals and ports).
EXTENSION_CLAIM = "#%s"
EDITABLE_FIELDS = tuple(f for f in ORDER_FIELDS if f != "kind")


# --- helpers ---------------------------------------------------------------------------------


def _locked(order: WorkOrder) -> WorkOrder:
    """Lock the order's row and return it as it is now in the database."""
    return WorkOrder.objects.select_for_update().get(pk=order.pk)


def _refresh(target: WorkOrder, source: WorkOrder) -> None:
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})


def _record(order: WorkOrder, *, actor, from_status: str, comment: str = "") -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, actor=actor, from_status=from_status, to_status=order.status, comment=comment or ""
    )


def _wrong_state(order: WorkOrder, action) -> WorkOrderConflict:
    return WorkOrderConflict(
        _("Order %(number)s is %(status)s: it cannot be %(action)s now.")
        % {"number": order.number, "status": order.get_status_display(), "action": action}
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _next_number(*, kind: str, year: int) -> str:
    prefix = NUMBER_PREFIXES[kind]
    counter, _created = OrderNumberCounter.objects.get_or_create(prefix=prefix, year=year)
    counter = OrderNumberCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:05d}"


def _validate(order: WorkOrder) -> None:
    """Check the order's fields and its kind's rules; raise ValidationError with every message."""
    errors: dict[str, list] = {}
    try:
        order.full_clean(exclude=["number", "requester", "status"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if order.kind != OrderKind.INSTALL and not order.extension:
        errors.setdefault("extension", []).append(_("Name the existing extension."))
    if order.kind == OrderKind.INSTALL and not order.extension and not order.assign_extension:
        errors.setdefault("extension", []).append(
            _("Give the wanted extension, or tick “assign an extension”.")
        )
    if (
        order.kind == OrderKind.NUMBER_CHANGE
        and order.new_extension
        and order.new_extension == order.extension
    ):
        errors.setdefault("new_extension", []).append(_("The new number is the same as the current one."))
    if order.function_change_request and not function_change_exists(request_id=order.function_change_request):
        errors.setdefault("function_change_request", []).append(
            _("There is no function-change request %(number)s.") % {"number": order.function_change_request}
        )
    if errors:
        raise ValidationError(errors)


# --- requester: create, edit, submit ----------------------------------------------------------


@transaction.atomic
def order_create(*, actor, submit: bool = False, comment: str = "", **fields) -> WorkOrder:
    """Create an order as a draft (and submit it at once when ``submit``); give it its readable number."""
    _require(rules.can_create(actor))
    unknown = set(fields) - set(ORDER_FIELDS)
    if unknown:
        raise TypeError(f"unknown order fields: {sorted(unknown)}")
    order = WorkOrder(requester=actor, status=OrderStatus.DRAFT, **fields)
    order.created_at = timezone.now()
    _validate(order)
    order.number = _next_number(kind=order.kind, year=timezone.localdate().year)
    with audit_actor(actor):
        order.save()
    _record(order, actor=actor, from_status="", comment=comment)
    if submit:
        order_submit(actor=actor, order=order)
    return order


@transaction.atomic
def order_update(*, actor, order: WorkOrder, **fields) -> WorkOrder:
    """Change a draft or returned order's request fields (its requester only)."""
    current = _locked(order)
    _require(rules.can_edit(actor, current))
    if current.status not in rules.STATES["edit"]:
        raise _wrong_state(current, _("edited"))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"fields that cannot be edited: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(current, name, value)
    _validate(current)
    with audit_actor(actor):
        current.save()
    _refresh(order, current)
    return order


@transaction.atomic
def order_submit(*, actor, order: WorkOrder, comment: str = "") -> WorkOrder:
    """Send a draft (or a returned order, corrected) to the engineers for assignment."""
    current = _locked(order)
    _require(rules.can_submit(actor, current))
    if current.status not in (OrderStatus.DRAFT, OrderStatus.RETURNED):
        raise _wrong_state(current, _("submitted"))
    previous = current.status
    current.status = OrderStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.assignee = None
    with audit_actor(actor):
        current.save()
    _record(current, actor=actor, from_status=previous, comment=comment)
    _notify(
        current,
        title=_("New work order %(number)s waits for assignment"),
        body=_("%(kind)s for %(person)s, %(location)s, wanted by %(date)s."),
        groups=rules.DISPATCHER_GROUPS,
        exclude=actor,
    )
    _refresh(order, current)
    return order


# --- dispatcher: assign, return -------------------------------------------------------------


@transaction.atomic
def order_assign(*, actor, order: WorkOrder, assignee, comment: str = "") -> WorkOrder:
    """Give a submitted order to an engineer (or hand an assigned one to another engineer)."""
    current = _locked(order)
    _require(rules.can_assign(actor, current))
    if current.status not in (OrderStatus.SUBMITTED, OrderStatus.ASSIGNED):
        raise _wrong_state(current, _("assigned"))
    if assignee is None or not rules.can_execute(assignee):
        raise ValidationError({"assignee": [_("Choose an engineer who can carry out work orders.")]})
    previous = current.status
    current.status = OrderStatus.ASSIGNED
    current.assignee = assignee
    with audit_actor(actor):
        current.save()
    _record(current, actor=actor, from_status=previous, comment=comment or str(assignee))
    _notify(
        current,
        title=_("Work order %(number)s is assigned to you"),
        body=_("%(kind)s for %(person)s, %(location)s, wanted by %(date)s."),
        users=[assignee],
        exclude=actor,
    )
    _notify(
        current,
        title=_("Your work order %(number)s has been assigned"),
        body=_("Engineer: %(assignee)s."),
        users=[current.requester],
        exclude=actor,
        email=False,
    )
    _refresh(order, current)
    return order


@transaction.atomic
def order_return(*, actor, order: WorkOrder, reason: str) -> WorkOrder:
    """Send an order back to its requester with the reason; its plan and reservations are dropped."""
    current = _locked(order)
    _require(rules.can_return(actor, current))
    if current.status not in (OrderStatus.SUBMITTED, OrderStatus.ASSIGNED):
        raise _wrong_state(current, _("returned"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the order is returned.")]})
    previous = current.status
    _plan_clear(current, actor=actor)
    current.status = OrderStatus.RETURNED
    current.return_reason = reason
    current.assignee = None
    with audit_actor(actor):
        current.save()
    _record(current, actor=actor, from_status=previous, comment=reason)
    _notify(
        current,
        title=_("Work order %(number)s was returned to you"),
        body=_("Reason: %(reason)s"),
        params={"reason": reason},
        users=[current.requester],
        exclude=actor,
    )
    _refresh(order, current)
    return order


# --- engineer: plan, start, complete ----------------------------------------------------------


def _plan_clear(order: WorkOrder, *, actor) -> None:
    order.steps.all().delete()
    _reservations_release(order, actor=actor)
    order.planned_port = order.planned_extension = order.planned_outlet = order.plan_notes = ""


def _reservations_release(order: WorkOrder, *, actor) -> None:
    held = list(TerminalReservation.objects.filter(order=order).values_list("terminal", flat=True))
    if held:
        TerminalReservation.objects.filter(order=order).delete()
        terminals = [t for t in held if patch_table.is_terminal(t)]
        patch_table.terminals_release(terminals=terminals, reference=order.number, actor=actor)


@transaction.atomic
def order_plan(
    *,
    actor,
    order: WorkOrder,
    steps: Iterable[Mapping],
    port: str = "",
    extension: str = "",
    outlet: str = "",
    notes: str = "",
) -> WorkOrder:
    """Replace the order's plan and reserve every terminal it names.

    ``steps`` are mappings with ``action`` (connect/disconnect), ``terminal_a``,
    ``terminal_b`` and an optional ``note``. A terminal held by another open order, or one
    the patch table does not know, is refused with the step's number; nothing is changed then.
    """
    current = _locked(order)
    _require(rules.can_plan(actor, current))
    if current.status not in (OrderStatus.ASSIGNED, OrderStatus.IN_PROGRESS):
        raise _wrong_state(current, _("planned"))
    rows = []
    errors = []
    for position, step in enumerate(steps, start=1):
        action = (step.get("action") or "").strip()
        a = patch_table.normalise(step.get("terminal_a"))
        b = patch_table.normalise(step.get("terminal_b"))
        if not action and not a and not b:
            continue
        if action not in PlanStep.Action.values:
            errors.append(_("Step %(n)s: choose connect or disconnect.") % {"n": position})
            continue
        if not a or not b:
            errors.append(_("Step %(n)s: name both terminals.") % {"n": position})
            continue
        if a == b:
            errors.append(_("Step %(n)s: the two ends must be different terminals.") % {"n": position})
            continue
        rows.append(
            PlanStep(order=current, action=action, terminal_a=a, terminal_b=b, note=step.get("note") or "")
        )
    for position, row in enumerate(rows, start=1):
        row.position = position
    terminals = sorted({t for row in rows for t in (row.terminal_a, row.terminal_b)})
    problems = patch_table.terminal_problems(terminals) if terminals else {}
    for row in rows:
        for t in (row.terminal_a, row.terminal_b):
            if t in problems:
                errors.append(_("Step %(n)s: %(problem)s") % {"n": row.position, "problem": problems[t]})
    port = patch_table.normalise(port)
    extension = (extension or "").strip()
    outlet = patch_table.normalise(outlet)
    errors.extend(patch_table.plan_fields_check(order=current, port=port, extension=extension, outlet=outlet))
    # Besides terminals, an open plan holds its PBX port and a new extension number.
    claims = list(terminals)
    if port:
        claims.append(port)
    if extension and current.kind in (OrderKind.INSTALL, OrderKind.NUMBER_CHANGE):
        claims.append(EXTENSION_CLAIM % extension)
    held = dict(
        TerminalReservation.objects.filter(terminal__in=claims)
        .exclude(order=current)
        .values_list("terminal", "order__number")
    )
    if port in held:
        errors.append(
            _("PBX port %(port)s is reserved by work order %(other)s.") % {"port": port, "other": held[port]}
        )
    if EXTENSION_CLAIM % extension in held:
        errors.append(
            _("Extension %(number)s is reserved by work order %(other)s.")
            % {"number": extension, "other": held[EXTENSION_CLAIM % extension]}
        )
    for row in rows:
        for t in (row.terminal_a, row.terminal_b):
            if t in held:
                errors.append(
                    _("Step %(n)s: terminal %(terminal)s is reserved by work order %(other)s.")
                    % {"n": row.position, "terminal": t, "other": held[t]}
                )
    if errors:
        raise ValidationError(errors)
    current.steps.all().delete()
    PlanStep.objects.bulk_create(rows)
    current.planned_port, current.planned_extension, current.planned_outlet = port, extension, outlet
    current.plan_notes = notes or ""
    _reservations_release(current, actor=actor)
    # The unique terminal settles a race between two engineers planning the same terminal at once.
    try:
        with transaction.atomic():
            TerminalReservation.objects.bulk_create(
                [TerminalReservation(order=current, terminal=t) for t in claims]
            )
    except IntegrityError:
        raise WorkOrderConflict(
            _("Another work order has just reserved one of these terminals; reload the plan and try again.")
        ) from None
    # On the patch table, reserve the terminals the plan will jumper that are free now
    # (those freed by a disconnect step of the same plan are in use until completion).
    freed = {
        t
        for row in rows
        if row.action == PlanStep.Action.DISCONNECT
        for t in (row.terminal_a, row.terminal_b)
    }
    to_reserve = sorted(
        {t for row in rows if row.action == PlanStep.Action.CONNECT for t in (row.terminal_a, row.terminal_b)}
        - freed
    )
    try:
        patch_table.terminals_reserve(terminals=to_reserve, reference=current.number, actor=actor)
    except patch_table.PatchTableError as exc:
        raise ValidationError([exc.message]) from None
    with audit_actor(actor):
        current.save()
    OrderEvent.objects.create(
        order=current,
        actor=actor,
        from_status=current.status,
        to_status=current.status,
        comment=_("Plan saved: %(count)s steps.") % {"count": len(rows)},
    )
    _refresh(order, current)
    return order


@transaction.atomic
def order_start(*, actor, order: WorkOrder, comment: str = "") -> WorkOrder:
    """The assigned engineer starts the work."""
    current = _locked(order)
    _require(rules.can_start(actor, current))
    if current.status != OrderStatus.ASSIGNED:
        raise _wrong_state(current, _("started"))
    current.status = OrderStatus.IN_PROGRESS
    with audit_actor(actor):
        current.save()
    _record(current, actor=actor, from_status=OrderStatus.ASSIGNED, comment=comment)
    _notify(
        current,
        title=_("Work on order %(number)s has started"),
        body=_("Engineer: %(assignee)s."),
        users=[current.requester],
        exclude=actor,
        email=False,
    )
    _refresh(order, current)
    return order


@transaction.atomic
def order_complete(*, actor, order: WorkOrder, comment: str = "") -> WorkOrder:
    """Apply the whole plan to the patch table in this one transaction, then close the order.

    Each step is re-checked by the patch table's own services as the table is now; the
    first that no longer fits raises ``PlanStepFailed`` naming it, and nothing is applied.
    """
    current = _locked(order)
    _require(rules.can_complete(actor, current))
    if current.status != OrderStatus.IN_PROGRESS:
        raise _wrong_state(current, _("completed"))
    if current.function_change_request and not function_change_is_approved(
        request_id=current.function_change_request
    ):
        raise WorkOrderConflict(
            _(
                "Function-change request %(request)s is not approved yet: the order cannot be "
                "completed until the chief engineer approves it."
            )
            % {"request": current.function_change_request}
        )
    steps = list(current.steps.order_by("position"))
    if not steps and current.kind != OrderKind.NUMBER_CHANGE:
        raise WorkOrderConflict(_("The order has no plan yet: plan the jumper changes first."))
    reason = str(_("Work order %(number)s") % {"number": current.number})
    stale = patch_table.disconnect_check(steps=steps)
    if stale:
        position, why = stale[0]
        step = steps[position - 1]
        raise PlanStepFailed(
            _("Step %(n)s (%(step)s) failed: %(reason)s") % {"n": position, "step": str(step), "reason": why},
            position=position,
        )
    with audit_actor(actor):
        try:
            if steps:
                patch_table.plan_apply(steps=steps, actor=actor, reference=current.number, reason=reason)
        except patch_table.PatchTableError as exc:
            position, why = _failed_step(str(exc.message), len(steps))
            if position is None:
                raise PlanStepFailed(exc.message, position=None) from None
            raise PlanStepFailed(
                _("Step %(n)s (%(step)s) failed: %(reason)s")
                % {"n": position, "step": str(steps[position - 1]), "reason": why},
                position=position,
            ) from None
        try:
            old_location, new_location = patch_table.extension_apply(order=current, actor=actor)
        except patch_table.PatchTableError as exc:
            raise PlanStepFailed(
                _("Updating the extension failed: %(reason)s") % {"reason": exc.message}, position=None
            ) from None
        _reservations_release(current, actor=actor)
        current.status = OrderStatus.COMPLETED
        current.completed_at = timezone.now()
        if old_location and not current.previous_location:
            current.previous_location = old_location
        current.save()
    _record(current, actor=actor, from_status=OrderStatus.IN_PROGRESS, comment=comment)
    _notify_done(current, old_location=old_location, new_location=new_location, actor=actor)
    _refresh(order, current)
    return order


_STEP_PREFIX = re.compile(r"^\s*(?:Step\s*(\d+)\s*[:：]|第\s*(\d+)\s*步\s*[:：]?)\s*")


def _failed_step(message: str, count: int) -> tuple[int | None, str]:
    """Split the patch table's "Step 2: …" sentence into the step number and the reason."""
    match = _STEP_PREFIX.match(message)
    if not match:
        return None, message
    position = int(match.group(1) or match.group(2))
    if not 1 <= position <= count:
        return None, message
    return position, message[match.end() :]


# --- cancel ---------------------------------------------------------------------------------


@transaction.atomic
def order_cancel(*, actor, order: WorkOrder, reason: str = "") -> WorkOrder:
    """Cancel an open order and free every terminal it reserved."""
    current = _locked(order)
    _require(rules.can_cancel(actor, current))
    if current.status not in OPEN_STATUSES:
        raise _wrong_state(current, _("cancelled"))
    if current.status == OrderStatus.IN_PROGRESS and not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why work already started is cancelled.")]})
    previous = current.status
    _reservations_release(current, actor=actor)
    current.status = OrderStatus.CANCELLED
    with audit_actor(actor):
        current.save()
    _record(current, actor=actor, from_status=previous, comment=reason)
    users = [u for u in (current.requester, current.assignee) if u is not None]
    _notify(
        current,
        title=_("Work order %(number)s was cancelled"),
        body=_("Reason: %(reason)s"),
        params={"reason": reason or "—"},
        users=users,
        exclude=actor,
    )
    _refresh(order, current)
    return order


# --- notifications ------------------------------------------------------------------------


def _params(order: WorkOrder) -> dict:
    return {
        "number": order.number,
        "kind": order.get_kind_display(),
        "person": order.person,
        "location": order.location,
        "date": order.wanted_date.isoformat() if isinstance(order.wanted_date, datetime.date) else "",
        "assignee": str(order.assignee) if order.assignee_id else "—",
        "extension": order.target_extension or order.extension,
    }


def _notify(
    order: WorkOrder, *, title, body, params=None, exclude=None, email=True, url=None, **recipients
) -> None:
    notification_send(
        title=title,
        body=body,
        params={**_params(order), **(params or {})},
        url=order.get_absolute_url() if url is None else url,
        exclude=exclude,
        email=email,
        **recipients,
    )


def _notify_done(order: WorkOrder, *, old_location: str, new_location: str, actor) -> None:
    """Tell the requester and every subscribed department what changed (regulation 4)."""
    if order.kind == OrderKind.MOVE:
        body = _("Extension %(extension)s moved from %(old)s to %(new)s.")
    elif order.kind == OrderKind.INSTALL:
        body = _("Extension %(extension)s installed at %(new)s for %(person)s.")
    elif order.kind == OrderKind.REMOVAL:
        body = _("Extension %(extension)s removed from %(old)s; the number is free.")
    else:
        body = _("Extension %(old_number)s changed to %(extension)s at %(new)s.")
    departments = {d.pk: d for d in patch_table.subscribed_departments()}
    departments.setdefault(order.department_id, order.department)
    params = {
        "old": old_location or "—",
        "new": new_location or order.location,
        "old_number": order.extension,
    }
    done = _("Work order %(number)s is completed.")
    _notify(order, title=body, body=done, params=params, users=[order.requester], exclude=actor)
    # Members of the departments get the same notice; a link to the order only if they may open it.
    skip = {order.requester_id, getattr(actor, "pk", None)}
    members = [u for u in user_recipients(departments=list(departments.values())) if u.pk not in skip]
    may_open = [u for u in members if rules.can_view(u, order)]
    may_not = [u for u in members if not rules.can_view(u, order)]
    if may_open:
        _notify(order, title=body, body=done, params=params, users=may_open)
    if may_not:
        _notify(order, title=body, body=done, params=params, users=may_not, url="")


# --- reminders --------------------------------------------------------------------------------


@transaction.atomic
def orders_overdue_remind(*, today: datetime.date | None = None) -> int:
    """Remind each engineer of their open orders past the wanted date, and dispatchers of unassigned ones.

    Return the number of overdue orders found. Runs each morning (Celery beat).
    """
    today = today or timezone.localdate()
    overdue = list(
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, wanted_date__lt=today)
        .exclude(status__in=[OrderStatus.DRAFT, OrderStatus.RETURNED])
        .select_related("assignee")
        .order_by("wanted_date", "pk")
    )
    by_engineer: dict[int, list[WorkOrder]] = {}
    waiting = []
    for order in overdue:
        if order.assignee_id:
            by_engineer.setdefault(order.assignee_id, []).append(order)
        else:
            waiting.append(order)
    for engineer_id, orders in by_engineer.items():
        notification_send(
            title=_("%(count)s of your work orders are overdue"),
            body=_("Past the wanted date: %(numbers)s"),
            params={"count": len(orders), "numbers": ", ".join(o.number for o in orders)},
            url="/workorders/?scope=assigned",
            users=[engineer_id],
            level="warning",
        )
    if waiting:
        notification_send(
            title=_("%(count)s overdue work orders wait for assignment"),
            body=_("Past the wanted date: %(numbers)s"),
            params={"count": len(waiting), "numbers": ", ".join(o.number for o in waiting)},
            url="/workorders/?scope=overdue",
            groups=rules.DISPATCHER_GROUPS,
            level="warning",
        )
    return len(overdue)
