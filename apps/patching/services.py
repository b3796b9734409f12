"""Writes to the patch table. Other apps call only these functions (and ``selectors``).

Stable entry points (keyword-only; ``actor`` is the user doing it; terminals may be given
as ``Terminal`` objects, ids, or designations such as ``"MDF-1/H03/17"``):

- ``jumper_connect(*, terminal_a, terminal_b, actor, reason, reference="") -> Jumper``
- ``jumper_disconnect(*, jumper=None, terminal=None, actor, reason, reference="") -> None``
- ``jumper_move(*, terminal, new_terminal, actor, reason, reference="") -> Jumper``:
  the end of the jumper on ``terminal`` moves to ``new_terminal``; the other end stays.
- ``patch_plan_apply(*, steps, actor, reference) -> list``: steps are dicts
  ``{"action": "connect", "terminal_a": ..., "terminal_b": ..., "reason": ...}`` or
  ``{"action": "disconnect", "terminal": ...}`` (or ``"jumper"``); all or nothing,
  re-checked against the table as it is now with every terminal row locked in pk order.
- ``terminal_reserve / terminal_release(*, terminals, reference, actor, strict=False)``: a work
  order (or an engineer by hand, ``strict=True``) reserves terminals; a reserved terminal can
  only be jumpered under its reference. ``terminals`` may hold ranges (``MDF-1/H03/1-10``).
- ``terminals_resolve(values, *, field="terminals") -> list[Terminal]``.
- ``terminal_set_faulty(*, terminal, faulty, actor, reason, reference="")``,
  ``pair_set_faulty(*, pair, ...)``: recorded as "marked faulty" / "marked working" history.
- ``extension_assign(*, number, actor, user_name="", department=None, class_of_service="",
  port=None, outlet=None, notes="", reason="", reference="") -> Extension``;
  ``extension_update(*, extension, actor, reason="", reference="", **fields)``;
  ``extension_remove(*, extension, actor, reason="", reference="")``.
  Subscribed departments are notified of each.
- Infrastructure: ``building_get_or_create``, ``room_get_or_create``, ``outlet_get_or_create``,
  ``frame_create``, ``block_create`` (creates its terminals), ``pbx_create``,
  ``pbx_ports_create`` (a range, optionally wired to a block), ``cable_create`` (creates its
  pairs), ``cable_pairs_wire`` ("pairs 1–25 of R-07 to V05/1–25").
- ``subscription_add / subscription_remove(*, department, actor)``.
- Renames: ``frame_rename(frame, new_code, *, actor, reason, reference="")``, ``block_rename``,
  ``pbx_rename``, ``cable_rename``, ``building_rename`` and ``room_renumber(room, new_number, ...)``
  rewrite every stored designation under the renamed object (terminals, PBX ports, cable pairs,
  outlets; one UPDATE per table) and write a "renamed" history entry; entries written before
  keep the designations as they were.

Every rule violation raises ``PatchConflict`` (a ``ValidationError``) with a sentence a person
understands; malformed input raises a plain ``ValidationError``. Every change writes an
append-only ``PatchEvent`` in the same transaction.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import designations as d
from .models import (
    Block,
    Building,
    Cable,
    CablePair,
    DepartmentSubscription,
    Extension,
    Floor,
    Frame,
    Jumper,
    JumperEnd,
    Outlet,
    PatchEvent,
    Pbx,
    PbxPort,
    Room,
    Terminal,
)


class PatchConflict(ValidationError):
    """A change the patch table's rules do not allow; the message says why, in words."""


# --- resolving what people name -------------------------------------------------------------


def _sentence(message, params=None) -> str:
    return str(message) % params if params else str(message)


def _conflict(message, params=None) -> PatchConflict:
    return PatchConflict(_sentence(message, params))


def terminal_resolve(value, *, field: str = "terminal", lock: bool = False) -> Terminal:
    """Return the terminal named by an object, an id or a designation; ValidationError if unknown."""
    qs = Terminal.objects.all()
    if lock:
        qs = qs.select_for_update()
    if isinstance(value, Terminal):
        return qs.get(pk=value.pk) if lock else value
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        found = qs.filter(pk=int(value)).first()
        if found is None:
            raise ValidationError({field: _sentence(_("There is no terminal number %(id)s."), {"id": value})})
        return found
    try:
        parsed = d.parse(value, kind=d.TERMINAL)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    found = qs.filter(designation=parsed.text).first()
    if found is None:
        raise ValidationError({field: _sentence(_("There is no terminal %(name)s."), {"name": parsed.text})})
    return found


def _lock_terminals(ids: Iterable[int]) -> dict[int, Terminal]:
    """Lock terminal rows in pk order (one lock order everywhere, so no deadlocks)."""
    ids = sorted(set(ids))
    return {t.pk: t for t in Terminal.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _who(user) -> str:
    if user is None:
        return str(_("unknown"))
    return user.get_full_name() if hasattr(user, "get_full_name") else str(user)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d")


def _occupied_message(terminal: Terminal) -> str:
    end = JumperEnd.objects.select_related("peer", "jumper__created_by").filter(terminal=terminal).first()
    if end is None:
        return _sentence(_("%(terminal)s already carries a jumper."), {"terminal": terminal.designation})
    return _sentence(
        _("%(terminal)s is already jumpered to %(peer)s (%(date)s, %(actor)s)"),
        {
            "terminal": terminal.designation,
            "peer": end.peer.designation,
            "date": _when(end.jumper.created_at),
            "actor": _who(end.jumper.created_by),
        },
    )


def _event(
    *,
    action,
    actor,
    at=None,
    jumper_key=None,
    a=None,
    b=None,
    designation="",
    reason="",
    reference="",
    number="",
    data=None,
) -> PatchEvent:
    return PatchEvent(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        jumper_key=jumper_key,
        terminal_a=a,
        terminal_b=b,
        a_designation=a.designation if a else designation,
        b_designation=b.designation if b else "",
        extension_number=number,
        reason=(reason or "")[:200],
        reference=(reference or "")[:60],
        data=data or {},
    )


def _record(**kwargs) -> PatchEvent:
    event = _event(**kwargs)
    event.save(force_insert=True)
    return event


def _require_reason(reason):
    if not (reason or "").strip():
        raise ValidationError({"reason": _sentence(_("Give a reason for the change."))})


# --- jumpers ---------------------------------------------------------------------------------


def _connect_locked(a: Terminal, b: Terminal, *, actor, reason, reference, at=None) -> Jumper:
    if a.pk == b.pk:
        raise _conflict(
            _("A jumper joins two different terminals: %(terminal)s was given twice."),
            {"terminal": a.designation},
        )
    if a.frame_id != b.frame_id:
        raise _conflict(
            _("%(a)s and %(b)s are on different frames; a jumper joins two terminals of the same frame."),
            {"a": a.designation, "b": b.designation},
        )
    for t in (a, b):
        if t.faulty:
            raise _conflict(_("%(terminal)s is marked faulty."), {"terminal": t.designation})
        if t.reserved_reference and t.reserved_reference != (reference or ""):
            raise _conflict(
                _("%(terminal)s is reserved for %(reference)s."),
                {"terminal": t.designation, "reference": t.reserved_reference},
            )
    busy = set(JumperEnd.objects.filter(terminal__in=[a.pk, b.pk]).values_list("terminal_id", flat=True))
    for t in (a, b):
        if t.pk in busy:
            raise PatchConflict(_occupied_message(t))
    if a.pk > b.pk:
        a, b = b, a
    moment = at or timezone.now()
    try:
        with transaction.atomic():
            jumper = Jumper.objects.create(
                frame_id=a.frame_id,
                terminal_a=a,
                terminal_b=b,
                created_at=moment,
                created_by=actor,
                reason=(reason or "")[:200],
                reference=(reference or "")[:60],
            )
            JumperEnd.objects.bulk_create(
                [JumperEnd(jumper=jumper, terminal=a, peer=b), JumperEnd(jumper=jumper, terminal=b, peer=a)]
            )
    except IntegrityError as exc:
        # Another engineer got there first (the unique end caught it): say who and since when.
        for t in (a, b):
            if JumperEnd.objects.filter(terminal=t).exists():
                raise PatchConflict(_occupied_message(t)) from exc
        raise _conflict(_("The jumper could not be recorded; try again.")) from exc
    for t in (a, b):
        if t.reserved_reference:
            Terminal.objects.filter(pk=t.pk).update(reserved_reference="", reserved_at=None, reserved_by=None)
            t.reserved_reference = ""
    _record(
        action=PatchEvent.Action.CONNECT,
        actor=actor,
        at=moment,
        jumper_key=jumper.pk,
        a=a,
        b=b,
        reason=reason,
        reference=reference,
    )
    return jumper


def _disconnect_locked(jumper: Jumper, *, actor, reason, reference, at=None) -> None:
    a, b = jumper.terminal_a, jumper.terminal_b
    key = jumper.pk
    jumper.delete()
    _record(
        action=PatchEvent.Action.DISCONNECT,
        actor=actor,
        at=at,
        jumper_key=key,
        a=a,
        b=b,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def jumper_connect(*, terminal_a, terminal_b, actor, reason, reference="", at=None) -> Jumper:
    """Jumper two free terminals of the same frame; PatchConflict says why not when it can't."""
    _require_reason(reason)
    a = terminal_resolve(terminal_a, field="terminal_a")
    b = terminal_resolve(terminal_b, field="terminal_b")
    locked = _lock_terminals([a.pk, b.pk])
    return _connect_locked(locked[a.pk], locked[b.pk], actor=actor, reason=reason, reference=reference, at=at)


def _jumper_of(*, jumper=None, terminal=None, field="terminal") -> Jumper:
    if jumper is not None:
        key = jumper.pk if isinstance(jumper, Jumper) else int(jumper)
        found = Jumper.objects.filter(pk=key).first()
        if found is None:
            raise _conflict(_("That jumper no longer exists."))
        return found
    if terminal is None:
        raise ValidationError({field: _sentence(_("Name the jumper or one of its terminals."))})
    t = terminal_resolve(terminal, field=field)
    end = JumperEnd.objects.filter(terminal=t).first()
    if end is None:
        raise _conflict(_("%(terminal)s carries no jumper."), {"terminal": t.designation})
    return Jumper.objects.get(pk=end.jumper_id)


@transaction.atomic
def jumper_disconnect(*, jumper=None, terminal=None, actor, reason, reference="", at=None) -> None:
    """Remove a jumper (named by itself or by either of its terminals) and record it."""
    _require_reason(reason)
    found = _jumper_of(jumper=jumper, terminal=terminal)
    _lock_terminals([found.terminal_a_id, found.terminal_b_id])
    found = Jumper.objects.select_related("terminal_a", "terminal_b").filter(pk=found.pk).first()
    if found is None:
        raise _conflict(_("That jumper no longer exists."))
    _disconnect_locked(found, actor=actor, reason=reason, reference=reference, at=at)


@transaction.atomic
def jumper_move(*, terminal, new_terminal, actor, reason, reference="") -> Jumper:
    """Move the end of the jumper on ``terminal`` to ``new_terminal``; the other end stays."""
    _require_reason(reason)
    old = terminal_resolve(terminal, field="terminal")
    new = terminal_resolve(new_terminal, field="new_terminal")
    jumper = _jumper_of(terminal=old)
    keep_id = jumper.terminal_b_id if jumper.terminal_a_id == old.pk else jumper.terminal_a_id
    locked = _lock_terminals([old.pk, new.pk, keep_id])
    jumper = Jumper.objects.select_related("terminal_a", "terminal_b").filter(pk=jumper.pk).first()
    if jumper is None:
        raise _conflict(_("That jumper no longer exists."))
    _disconnect_locked(jumper, actor=actor, reason=reason, reference=reference)
    return _connect_locked(locked[keep_id], locked[new.pk], actor=actor, reason=reason, reference=reference)


def _step_terminals(step) -> list:
    return [step[k] for k in ("terminal_a", "terminal_b", "terminal") if step.get(k) not in (None, "")]


@transaction.atomic
def patch_plan_apply(*, steps, actor, reference) -> list:
    """Apply connect/disconnect steps all or nothing, re-checked against the table as it is now.

    Raise PatchConflict naming the step that failed (1-based) and why; nothing is changed then.
    """
    steps = list(steps)
    resolved = []
    for index, step in enumerate(steps, start=1):
        try:
            terminals = {
                k: terminal_resolve(step[k], field=k)
                for k in ("terminal_a", "terminal_b", "terminal")
                if step.get(k)
            }
        except ValidationError as exc:
            raise _conflict(
                _("Step %(n)s: %(error)s"), {"n": index, "error": " ".join(exc.messages)}
            ) from exc
        resolved.append(terminals)
    ids = [t.pk for terminals in resolved for t in terminals.values()]
    jumper_ids = [
        int(s["jumper"].pk if isinstance(s["jumper"], Jumper) else s["jumper"])
        for s in steps
        if s.get("jumper")
    ]
    ids += [
        pk
        for pair in Jumper.objects.filter(pk__in=jumper_ids).values_list("terminal_a_id", "terminal_b_id")
        for pk in pair
    ]
    _lock_terminals(ids)
    results = []
    for index, (step, terminals) in enumerate(zip(steps, resolved, strict=True), start=1):
        action = step.get("action")
        reason = step.get("reason") or reference
        try:
            if action == "connect":
                if "terminal_a" not in terminals or "terminal_b" not in terminals:
                    raise _conflict(_("a connection needs two terminals."))
                a = Terminal.objects.get(pk=terminals["terminal_a"].pk)
                b = Terminal.objects.get(pk=terminals["terminal_b"].pk)
                results.append(_connect_locked(a, b, actor=actor, reason=reason, reference=reference))
            elif action == "disconnect":
                jumper = _jumper_of(
                    jumper=step.get("jumper"),
                    terminal=terminals.get("terminal") or terminals.get("terminal_a"),
                )
                jumper = Jumper.objects.select_related("terminal_a", "terminal_b").get(pk=jumper.pk)
                _disconnect_locked(jumper, actor=actor, reason=reason, reference=reference)
                results.append(None)
            else:
                raise _conflict(_("unknown action “%(action)s”."), {"action": action})
        except ValidationError as exc:
            raise _conflict(
                _("Step %(n)s: %(error)s"), {"n": index, "error": " ".join(exc.messages)}
            ) from exc
    return results


# --- reservations and faults -------------------------------------------------------------------


def terminals_resolve(values, *, field: str = "terminals") -> list[Terminal]:
    """Return the terminals named by objects, ids, designations or ranges (``MDF-1/H03/1-10``).

    One query for all the designations; every malformed or unknown one is named in a single
    ValidationError on ``field``. Each terminal comes once, in the order given.
    """
    if isinstance(values, (str, int, Terminal)):
        values = [values]
    found: list = []
    names: list[str] = []
    ids: list[int] = []
    errors: list = []
    for value in values:
        if isinstance(value, Terminal):
            found.append(value)
        elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            ids.append(int(value))
            found.append(("id", int(value)))
        else:
            try:
                for name in d.terminal_list(value):
                    names.append(name)
                    found.append(("name", name))
            except ValidationError as exc:
                errors.extend(exc.messages)
    by_name = {t.designation: t for t in Terminal.objects.filter(designation__in=names)} if names else {}
    by_id = {t.pk: t for t in Terminal.objects.filter(pk__in=ids)} if ids else {}
    out: dict[int, Terminal] = {}
    for item in found:
        if isinstance(item, Terminal):
            out.setdefault(item.pk, item)
            continue
        how, key = item
        t = by_name.get(key) if how == "name" else by_id.get(key)
        if t is None:
            message = (
                _("There is no terminal %(name)s.")
                if how == "name"
                else _("There is no terminal number %(id)s.")
            )
            errors.append(_sentence(message, {"name": key, "id": key}))
        else:
            out.setdefault(t.pk, t)
    if not errors and not out:
        errors.append(_sentence(_("Name at least one terminal.")))
    if errors:
        raise ValidationError({field: list(dict.fromkeys(errors))})
    return list(out.values())


def _in_order(locked: dict[int, Terminal], resolved: list[Terminal]) -> list[Terminal]:
    return [locked[t.pk] for t in resolved if t.pk in locked]


@transaction.atomic
def terminal_reserve(*, terminals, reference, actor, strict: bool = False) -> list[Terminal]:
    """Reserve free terminals for a work order or another reason (``reference``); all or nothing.

    A terminal that is faulty, jumpered or reserved for another reference is a PatchConflict
    naming every such terminal, and nothing is reserved. ``strict`` (reserving by hand) also
    refuses a terminal already reserved under the same reference; a work order re-reserving
    its own terminals does not.
    """
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _sentence(_("A reservation needs a reference."))})
    if len(reference) > 60:
        raise ValidationError(
            {"reference": _sentence(_("A reference has at most %(n)s characters."), {"n": 60})}
        )
    resolved = terminals_resolve(terminals)
    locked = _in_order(_lock_terminals([t.pk for t in resolved]), resolved)
    busy = set(JumperEnd.objects.filter(terminal__in=locked).values_list("terminal_id", flat=True))
    problems = []
    for t in locked:
        if t.faulty:
            problems.append(_sentence(_("%(terminal)s is marked faulty."), {"terminal": t.designation}))
        elif t.reserved_reference and (strict or t.reserved_reference != reference):
            problems.append(
                _sentence(
                    _("%(terminal)s is reserved for %(reference)s."),
                    {"terminal": t.designation, "reference": t.reserved_reference},
                )
            )
        elif t.pk in busy:
            problems.append(_occupied_message(t))
    if problems:
        raise PatchConflict(problems)
    now = timezone.now()
    for t in locked:
        t.reserved_reference, t.reserved_at, t.reserved_by = reference, now, actor
    Terminal.objects.bulk_update(locked, ["reserved_reference", "reserved_at", "reserved_by"])
    PatchEvent.objects.bulk_create(
        [
            _event(
                action=PatchEvent.Action.RESERVE,
                actor=actor,
                at=now,
                a=t,
                reason=reference,
                reference=reference,
            )
            for t in locked
        ]
    )
    return locked


@transaction.atomic
def terminal_release(*, terminals, reference, actor, strict: bool = False) -> list[Terminal]:
    """Release terminals reserved under ``reference``.

    A work order's release leaves the others alone. ``strict`` (releasing by hand) releases
    every named terminal whatever it was reserved for (or, given a ``reference``, only under
    that one), and is a PatchConflict naming each terminal that is not so reserved, releasing
    nothing then. Each release is recorded under the reference the terminal was reserved for.
    """
    reference = (reference or "").strip()
    resolved = terminals_resolve(terminals)
    locked = _in_order(_lock_terminals([t.pk for t in resolved]), resolved)
    if strict:
        problems = []
        for t in locked:
            if not t.reserved_reference:
                problems.append(_sentence(_("%(terminal)s is not reserved."), {"terminal": t.designation}))
            elif reference and t.reserved_reference != reference:
                problems.append(
                    _sentence(
                        _("%(terminal)s is reserved for %(reference)s, not for %(given)s."),
                        {"terminal": t.designation, "reference": t.reserved_reference, "given": reference},
                    )
                )
        if problems:
            raise PatchConflict(problems)
        released = locked
    else:
        released = [t for t in locked if t.reserved_reference and t.reserved_reference == reference]
    now = timezone.now()
    events = [
        _event(
            action=PatchEvent.Action.RELEASE,
            actor=actor,
            at=now,
            a=t,
            reason=t.reserved_reference,
            reference=t.reserved_reference,
        )
        for t in released
    ]
    for t in released:
        t.reserved_reference, t.reserved_at, t.reserved_by = "", None, None
    Terminal.objects.bulk_update(released, ["reserved_reference", "reserved_at", "reserved_by"])
    PatchEvent.objects.bulk_create(events)
    return released


def _log_fault(obj, *, kind, faulty, actor, reason, reference):
    """Record a fault mark in the patch-table history and in the shared audit trail."""
    from apps.core.audit import audit_log_event

    _record(
        action=PatchEvent.Action.FAULTY if faulty else PatchEvent.Action.WORKING,
        actor=actor,
        a=obj if kind == "terminal" else None,
        designation=obj.designation,
        reason=reason,
        reference=reference,
        data={"kind": kind},
    )
    state = "faulty" if faulty else "working"
    audit_log_event(
        obj=obj, actor=actor, message=reason, changes={"faulty": [None, state], "reason": [None, reason]}
    )


@transaction.atomic
def terminal_set_faulty(*, terminal, faulty: bool, actor, reason="", reference="") -> Terminal:
    """Mark a terminal faulty or working again, with a reason; a change is written to the history."""
    _require_reason(reason)
    t = terminal_resolve(terminal, lock=True)
    if t.faulty != bool(faulty):
        t.faulty = bool(faulty)
        t.save(update_fields=["faulty"])
        _log_fault(t, kind="terminal", faulty=t.faulty, actor=actor, reason=reason, reference=reference)
    return t


@transaction.atomic
def pair_set_faulty(*, pair, faulty: bool, actor, reason="", reference="") -> CablePair:
    """Mark a cable pair faulty or working again, with a reason; a change is written to the history."""
    _require_reason(reason)
    if isinstance(pair, CablePair):
        pair = pair.pk
    else:
        text = d.parse(pair, kind=d.PAIR).text
        found = CablePair.objects.filter(designation=text).values_list("pk", flat=True).first()
        if found is None:
            raise ValidationError({"pair": _sentence(_("There is no cable pair %(pair)s."), {"pair": text})})
        pair = found
    pair = CablePair.objects.select_for_update().get(pk=pair)
    if pair.faulty != bool(faulty):
        pair.faulty = bool(faulty)
        pair.save(update_fields=["faulty"])
        _log_fault(pair, kind="pair", faulty=pair.faulty, actor=actor, reason=reason, reference=reference)
    return pair


# --- extensions --------------------------------------------------------------------------------


def port_resolve(value, *, field="port") -> PbxPort | None:
    if value in (None, ""):
        return None
    if isinstance(value, PbxPort):
        return value
    if isinstance(value, int):
        return PbxPort.objects.get(pk=value)
    try:
        text = d.parse(value, kind=d.PORT).text
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    found = PbxPort.objects.filter(designation=text).first()
    if found is None:
        raise ValidationError({field: _sentence(_("There is no PBX port %(name)s."), {"name": text})})
    return found


def outlet_resolve(value, *, field="outlet") -> Outlet | None:
    if value in (None, ""):
        return None
    if isinstance(value, Outlet):
        return value
    if isinstance(value, int):
        return Outlet.objects.get(pk=value)
    try:
        text = d.parse(value, kind=d.OUTLET).text
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    found = Outlet.objects.filter(designation=text).first()
    if found is None:
        raise ValidationError({field: _sentence(_("There is no outlet %(name)s."), {"name": text})})
    return found


def _snapshot(ext: Extension) -> dict:
    return {
        "number": ext.number,
        "user_name": ext.user_name,
        "department_id": ext.department_id,
        "class_of_service": ext.class_of_service,
        "port_id": ext.port_id,
        "outlet_id": ext.outlet_id,
        "notes": ext.notes,
    }


def _notify(ext_number, message, actor, params):
    from apps.core.services import notification_send

    departments = list(DepartmentSubscription.objects.values_list("department_id", flat=True))
    if not departments:
        return
    from apps.accounts.models import Department

    notification_send(
        title=message,
        body=_("%(actor)s: extension %(number)s, %(details)s"),
        params={"number": ext_number, "actor": _who(actor), **params},
        departments=Department.objects.filter(pk__in=departments),
        url="/patching/?q=" + ext_number,
    )


def _check_port_free(port: PbxPort | None, exclude_pk=None):
    if port is None:
        return
    taken = Extension.objects.filter(port=port).exclude(pk=exclude_pk).first()
    if taken is not None:
        raise _conflict(
            _("PBX port %(port)s already carries extension %(number)s."),
            {"port": port.designation, "number": taken.number},
        )


@transaction.atomic
def extension_assign(
    *,
    number,
    actor,
    user_name="",
    department=None,
    class_of_service="",
    port=None,
    outlet=None,
    notes="",
    reason="",
    reference="",
    notify=True,
) -> Extension:
    """Create an extension on a PBX port (optional) at an outlet (optional)."""
    number = str(number or "").strip()
    if not number:
        raise ValidationError({"number": _sentence(_("Give the extension number."))})
    existing = Extension.objects.filter(number=number).first()
    if existing is not None:
        raise _conflict(
            _("Extension %(number)s already exists (%(user)s)."),
            {"number": number, "user": existing.user_name or "—"},
        )
    port = port_resolve(port)
    if port is not None:
        PbxPort.objects.select_for_update().filter(pk=port.pk).first()
    outlet = outlet_resolve(outlet)
    _check_port_free(port)
    ext = Extension(
        number=number,
        user_name=user_name or "",
        department=department,
        class_of_service=class_of_service or "",
        port=port,
        outlet=outlet,
        notes=notes or "",
    )
    try:
        with transaction.atomic():
            ext.save()
    except IntegrityError as exc:
        raise _conflict(
            _("Extension %(number)s or its PBX port is already taken."), {"number": number}
        ) from exc
    _record(
        action=PatchEvent.Action.EXTENSION_ADD,
        actor=actor,
        number=number,
        reason=reason,
        reference=reference,
        data=_snapshot(ext),
    )
    if notify:
        _notify(number, _("Telephone added: %(number)s"), actor, {"details": ext.user_name or "—"})
    return ext


def extension_resolve(value) -> Extension:
    if isinstance(value, Extension):
        return value
    found = Extension.objects.filter(number=str(value).strip()).first()
    if found is None:
        raise ValidationError(
            {"extension": _sentence(_("There is no extension %(number)s."), {"number": value})}
        )
    return found


@transaction.atomic
def extension_update(*, extension, actor, reason="", reference="", notify=True, **fields) -> Extension:
    """Change an extension's user, department, class of service, port, outlet or notes.

    ``notify=False`` when the caller tells the subscribed departments itself (a work order does).
    """
    ext = extension_resolve(extension)
    ext = Extension.objects.select_for_update().get(pk=ext.pk)
    allowed = {"user_name", "department", "class_of_service", "port", "outlet", "notes"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _sentence(_("Unknown fields: %(fields)s"), {"fields": ", ".join(sorted(unknown))})
        )
    before = _snapshot(ext)
    if "port" in fields:
        fields["port"] = port_resolve(fields["port"])
        _check_port_free(fields["port"], exclude_pk=ext.pk)
    if "outlet" in fields:
        fields["outlet"] = outlet_resolve(fields["outlet"])
    for name, value in fields.items():
        setattr(ext, name, value if value is not None or name in {"port", "outlet", "department"} else "")
    try:
        with transaction.atomic():
            ext.save()
    except IntegrityError as exc:
        raise _conflict(_("That PBX port already carries another extension.")) from exc
    after = _snapshot(ext)
    if after != before:
        _record(
            action=PatchEvent.Action.EXTENSION_CHANGE,
            actor=actor,
            number=ext.number,
            reason=reason,
            reference=reference,
            data=after,
        )
        changed = ", ".join(sorted(k for k in after if after[k] != before[k]))
        if notify:
            _notify(ext.number, _("Telephone changed: %(number)s"), actor, {"details": changed})
    return ext


@transaction.atomic
def extension_remove(*, extension, actor, reason="", reference="", notify=True) -> None:
    ext = extension_resolve(extension)
    ext = Extension.objects.select_for_update().get(pk=ext.pk)
    number = ext.number
    ext.delete()
    _record(
        action=PatchEvent.Action.EXTENSION_REMOVE,
        actor=actor,
        number=number,
        reason=reason,
        reference=reference,
        data={"number": number},
    )
    if notify:
        _notify(number, _("Telephone removed: %(number)s"), actor, {"details": reason or "—"})


# --- infrastructure ----------------------------------------------------------------------------


@transaction.atomic
def building_get_or_create(*, code, name="", actor=None) -> Building:
    code = d.normalise(code)
    if not code or "-" in code or "/" in code:
        raise ValidationError(
            {"building": _sentence(_("“%(code)s” is not a building code."), {"code": code})}
        )
    return Building.objects.get_or_create(code=code, defaults={"name": name or code})[0]


@transaction.atomic
def room_get_or_create(*, building, number, floor=None, actor=None) -> Room:
    if not isinstance(building, Building):
        building = building_get_or_create(code=building)
    number = d.normalise(number)
    room = Room.objects.filter(building=building, number=number).first()
    if room:
        return room
    if floor in (None, ""):
        digits = "".join(ch for ch in number if ch.isdigit())
        floor = int(digits[:-2]) if len(digits) > 2 else 1
    fl = Floor.objects.get_or_create(building=building, number=int(floor))[0]
    return Room.objects.create(building=building, floor=fl, number=number)


@transaction.atomic
def outlet_get_or_create(*, designation, floor=None, actor=None) -> Outlet:
    parsed = d.parse(designation, kind=d.OUTLET)
    found = Outlet.objects.filter(designation=parsed.text).first()
    if found:
        return found
    room = room_get_or_create(building=parsed.parts["building"], number=parsed.parts["room"], floor=floor)
    return Outlet.objects.create(room=room, number=int(parsed.parts["number"]), designation=parsed.text)


@transaction.atomic
def frame_create(*, code, kind=Frame.Kind.MAIN, building=None, floor=None, room=None, actor=None) -> Frame:
    code = _new_code(code, kind=d.FRAME, field="code")
    if Frame.objects.filter(code=code).exists():
        raise _conflict(_("Frame %(code)s already exists."), {"code": code})
    return Frame.objects.create(code=code, kind=kind, building=building, floor=floor, room=room)


@transaction.atomic
def block_create(*, frame, code, side, size, actor=None) -> Block:
    """Create a block and its ``size`` numbered terminals (10, 25, 50, 100 pairs or any number)."""
    if not isinstance(frame, Frame):
        frame = Frame.objects.get(code=d.normalise(frame))
    code = _new_code(code, kind=d.BLOCK, field="code")
    size = int(size)
    if size < 1 or size > 2000:
        raise ValidationError({"size": _sentence(_("A block has between 1 and 2000 pairs."))})
    if Block.objects.filter(frame=frame, code=code).exists():
        raise _conflict(
            _("Block %(block)s already exists on %(frame)s."), {"block": code, "frame": frame.code}
        )
    block = Block.objects.create(frame=frame, code=code, side=side, size=size)
    Terminal.objects.bulk_create(
        Terminal(block=block, frame=frame, position=n, side=side, designation=d.terminal(frame.code, code, n))
        for n in range(1, size + 1)
    )
    return block


@transaction.atomic
def pbx_create(*, code, name="", room=None, actor=None) -> Pbx:
    code = _new_code(code, kind=d.PBX, field="code")
    if Pbx.objects.filter(code=code).exists():
        raise _conflict(_("PBX %(code)s already exists."), {"code": code})
    return Pbx.objects.create(code=code, name=name, room=room)


@transaction.atomic
def pbx_ports_create(*, pbx, shelf, slot, ports, block=None, first_position=1, actor=None) -> list[PbxPort]:
    """Create ports 1..ports of one card, wired in order to ``block`` from ``first_position``."""
    terminals = {}
    if block is not None:
        terminals = {t.position: t for t in block.terminals.all()}
    rows = []
    for n in range(1, int(ports) + 1):
        t = terminals.get(first_position + n - 1) if block is not None else None
        if block is not None and t is None:
            raise ValidationError(
                _sentence(_("Block %(block)s has too few terminals."), {"block": str(block)})
            )
        rows.append(
            PbxPort(
                pbx=pbx,
                shelf=shelf,
                slot=slot,
                port=n,
                designation=d.port(pbx.code, shelf, slot, n),
                terminal=t,
            )
        )
    return PbxPort.objects.bulk_create(rows)


@transaction.atomic
def cable_create(*, code, pair_count, kind=Cable.Kind.RISER, actor=None) -> Cable:
    """Create a cable and its numbered pairs."""
    code = _new_code(code, kind=d.CABLE, field="code")
    if Cable.objects.filter(code=code).exists():
        raise _conflict(_("Cable %(code)s already exists."), {"code": code})
    cable = Cable.objects.create(code=code, kind=kind, pair_count=int(pair_count))
    CablePair.objects.bulk_create(
        CablePair(cable=cable, number=n, designation=d.pair(code, n)) for n in range(1, cable.pair_count + 1)
    )
    return cable


@transaction.atomic
def cable_pairs_wire(
    *,
    cable,
    first_pair,
    last_pair,
    near_block,
    near_first=1,
    far_block=None,
    far_first=1,
    outlets=None,
    actor=None,
) -> int:
    """Wire a range of pairs in one step: "pairs 1–25 of R-07 to V05/1–25" (and their far ends)."""
    count = int(last_pair) - int(first_pair) + 1
    pairs = list(cable.pairs.filter(number__gte=first_pair, number__lte=last_pair).order_by("number"))
    near = {t.position: t for t in near_block.terminals.all()}
    far = {t.position: t for t in far_block.terminals.all()} if far_block is not None else {}
    outlets = list(outlets or [])
    if len(pairs) != count:
        raise ValidationError(_sentence(_("Cable %(cable)s has no such pairs."), {"cable": cable.code}))
    for offset, pair in enumerate(pairs):
        pair.near_terminal = near.get(near_first + offset)
        if pair.near_terminal is None:
            raise ValidationError(
                _sentence(_("Block %(block)s has too few terminals."), {"block": str(near_block)})
            )
        if far_block is not None:
            pair.far_terminal = far.get(far_first + offset)
        elif offset < len(outlets):
            pair.outlet = outlets[offset]
    try:
        with transaction.atomic():
            CablePair.objects.bulk_update(pairs, ["near_terminal", "far_terminal", "outlet"])
    except IntegrityError as exc:
        raise _conflict(_("One of these terminals or outlets is already wired to another pair.")) from exc
    return count


# --- subscriptions -----------------------------------------------------------------------------


@transaction.atomic
def subscription_add(*, department, actor) -> DepartmentSubscription:
    return DepartmentSubscription.objects.get_or_create(
        department=department, defaults={"created_by": actor}
    )[0]


@transaction.atomic
def subscription_remove(*, department, actor) -> None:
    DepartmentSubscription.objects.filter(department=department).delete()


# --- renames -----------------------------------------------------------------------------------
#
# Designations are stored on each terminal, port, pair and outlet row. A rename rewrites them
# from their parts (codes and numbers, as ``designations`` formats them) with one UPDATE per
# table, so they never go stale, and writes one "renamed" history entry; the entries written
# before keep the designations as they were then.


def _text(field) -> Cast:
    return Cast(field, output_field=CharField())


def _padded(field):
    """``field`` as at least two digits, like ``f"{n:02d}"`` (longer numbers are kept whole)."""
    return Case(
        When(**{f"{field}__lt": 10}, then=LPad(_text(field), 2, Value("0"))),
        default=_text(field),
        output_field=CharField(),
    )


def _join(*parts):
    return Concat(*parts, output_field=CharField())


def _terminal_designation(frame_code, block_code):
    """The expression ``<frame>/<block>/<position>`` for a terminal row (codes as text or expressions)."""
    return _join(
        Value(frame_code) if isinstance(frame_code, str) else frame_code,
        Value("/"),
        Value(block_code) if isinstance(block_code, str) else block_code,
        Value("/"),
        _padded("position"),
    )


def _new_code(value, *, kind, field):
    try:
        return d.code(value, kind=kind)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _rename(
    obj,
    new,
    *,
    kind,
    field,
    what,
    siblings,
    taken_message,
    taken_params,
    rewrite,
    actor,
    reason,
    reference,
    label=str,
):
    """What every rename does, ``obj`` being locked: check, save the new code, rewrite, record.

    ``siblings`` are the objects whose codes ``new`` must not clash with; ``rewrite(new)`` updates
    the stored designations and returns how many rows it changed; ``label(code)`` names the object
    in the history entry (old name in end A, new in end B). Older history entries are left as they are.
    """
    from apps.core.audit import audit_log_event

    _require_reason(reason)
    old = getattr(obj, field)
    if new == old:
        raise ValidationError(
            {field: _sentence(_("%(what)s is already %(code)s."), {"what": what, "code": new})}
        )
    if siblings.filter(**{field: new}).exclude(pk=obj.pk).exists():
        raise PatchConflict({field: _sentence(taken_message, taken_params)})
    try:
        with transaction.atomic():
            type(obj).objects.filter(pk=obj.pk).update(**{field: new})
    except IntegrityError as exc:  # taken by someone else a moment ago
        raise PatchConflict({field: _sentence(taken_message, taken_params)}) from exc
    setattr(obj, field, new)
    rows = rewrite(new)
    event = _event(
        action=PatchEvent.Action.RENAME,
        actor=actor,
        designation=label(old)[:60],
        reason=reason,
        reference=reference,
        data={"kind": kind, "id": obj.pk, "old": old, "new": new, "rows": rows},
    )
    event.b_designation = label(new)[:60]
    event.save(force_insert=True)
    audit_log_event(
        obj=obj, actor=actor, message=reason, changes={field: [old, new], "reason": [None, reason]}
    )
    return obj


def _locked(model, obj, *related):
    return model.objects.select_for_update().select_related(*related).get(pk=getattr(obj, "pk", obj))


@transaction.atomic
def frame_rename(frame, new_code, *, actor, reason, reference="") -> Frame:
    """Rename a frame; each of its terminals' designations follows (``MDF-1/H03/17`` → ``MDF-2/H03/17``)."""
    frame = _locked(Frame, frame)
    new = _new_code(new_code, kind=d.FRAME, field="code")
    block_code = Subquery(Block.objects.filter(pk=OuterRef("block_id")).values("code")[:1])
    return _rename(
        frame,
        new,
        kind=d.FRAME,
        field="code",
        what=_("The frame"),
        siblings=Frame.objects.all(),
        taken_message=_("Frame code %(code)s is already in use."),
        taken_params={"code": new},
        rewrite=lambda code: Terminal.objects.filter(frame=frame).update(
            designation=_terminal_designation(code, block_code)
        ),
        actor=actor,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def block_rename(block, new_code, *, actor, reason, reference="") -> Block:
    """Rename a block of a frame; its terminals' designations follow (``MDF-1/H03/17`` → ``MDF-1/H04/17``)."""
    block = _locked(Block, block, "frame")
    new = _new_code(new_code, kind=d.BLOCK, field="code")
    frame_code = block.frame.code
    return _rename(
        block,
        new,
        kind=d.BLOCK,
        field="code",
        what=_("The block"),
        siblings=Block.objects.filter(frame_id=block.frame_id),
        taken_message=_("Block code %(code)s is already in use on %(frame)s."),
        taken_params={"code": new, "frame": frame_code},
        rewrite=lambda code: Terminal.objects.filter(block=block).update(
            designation=_terminal_designation(frame_code, code)
        ),
        label=lambda code: f"{frame_code}/{code}",
        actor=actor,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def pbx_rename(pbx, new_code, *, actor, reason, reference="") -> Pbx:
    """Rename a PBX; its ports' designations follow (``PBX-1/1-02-05`` → ``PBX-A/1-02-05``)."""
    pbx = _locked(Pbx, pbx)
    new = _new_code(new_code, kind=d.PBX, field="code")
    return _rename(
        pbx,
        new,
        kind=d.PBX,
        field="code",
        what=_("The PBX"),
        siblings=Pbx.objects.all(),
        taken_message=_("PBX code %(code)s is already in use."),
        taken_params={"code": new},
        rewrite=lambda code: PbxPort.objects.filter(pbx=pbx).update(
            designation=_join(
                Value(code),
                Value("/"),
                _text("shelf"),
                Value("-"),
                _padded("slot"),
                Value("-"),
                _padded("port"),
            )
        ),
        actor=actor,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def cable_rename(cable, new_code, *, actor, reason, reference="") -> Cable:
    """Rename a cable; its pairs' designations follow (``R-07/12`` → ``R-08/12``)."""
    cable = _locked(Cable, cable)
    new = _new_code(new_code, kind=d.CABLE, field="code")
    return _rename(
        cable,
        new,
        kind=d.CABLE,
        field="code",
        what=_("The cable"),
        siblings=Cable.objects.all(),
        taken_message=_("Cable code %(code)s is already in use."),
        taken_params={"code": new},
        rewrite=lambda code: CablePair.objects.filter(cable=cable).update(
            designation=_join(Value(code), Value("/"), _padded("number"))
        ),
        actor=actor,
        reason=reason,
        reference=reference,
    )


def _outlet_designation(building_code, room_number):
    return _join(
        Value(building_code) if isinstance(building_code, str) else building_code,
        Value("-"),
        Value(room_number) if isinstance(room_number, str) else room_number,
        Value("-"),
        _text("number"),
    )


@transaction.atomic
def building_rename(building, new_code, *, actor, reason, reference="") -> Building:
    """Rename a building; its outlets' designations follow (``A-1203-2`` → ``B1-1203-2``)."""
    building = _locked(Building, building)
    new = _new_code(new_code, kind=d.BUILDING, field="code")
    room_number = Subquery(Room.objects.filter(pk=OuterRef("room_id")).values("number")[:1])
    return _rename(
        building,
        new,
        kind=d.BUILDING,
        field="code",
        what=_("The building"),
        siblings=Building.objects.all(),
        taken_message=_("Building code %(code)s is already in use."),
        taken_params={"code": new},
        rewrite=lambda code: Outlet.objects.filter(room__building=building).update(
            designation=_outlet_designation(code, room_number)
        ),
        actor=actor,
        reason=reason,
        reference=reference,
    )


@transaction.atomic
def room_renumber(room, new_number, *, actor, reason, reference="") -> Room:
    """Give a room a new number; its outlets' designations follow (``A-1203-2`` → ``A-1205-2``)."""
    room = _locked(Room, room, "building")
    new = _new_code(new_number, kind=d.ROOM, field="number")
    building_code = room.building.code
    return _rename(
        room,
        new,
        kind=d.ROOM,
        field="number",
        what=_("The room"),
        siblings=Room.objects.filter(building_id=room.building_id),
        taken_message=_("Room %(code)s already exists in building %(building)s."),
        taken_params={"code": new, "building": building_code},
        rewrite=lambda number: Outlet.objects.filter(room=room).update(
            designation=_outlet_designation(building_code, number)
        ),
        label=lambda number: f"{building_code}-{number}",
        actor=actor,
        reason=reason,
        reference=reference,
    )
