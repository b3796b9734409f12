"""Every call work orders make into the patch table, in one place.

Work orders change the patch table only through ``apps.patching.services`` (and read it
through the objects those return and ``apps.patching.selectors``). This module adapts
those calls to what an order needs and turns the patch table's refusals into
``PatchTableError`` carrying the patch table's own sentence.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

from apps.patching import selectors as patching_selectors
from apps.patching import services as patching_services


class PatchTableError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(getattr(exc, "message", exc))


def _call(function, **kwargs):
    try:
        return function(**kwargs)
    except ValidationError as exc:
        raise PatchTableError(_message(exc)) from None
    except ObjectDoesNotExist:
        # Someone removed the row between our read and the patch table's lock.
        raise PatchTableError(_("The patch table changed meanwhile; reload and try again.")) from None


# --- reads ------------------------------------------------------------------------------------


def is_terminal(designation: str) -> bool:
    """Return whether a designation has the terminal shape ``<frame>/<block>/<position>``."""
    return designation.count("/") == 2


def normalise(text: str) -> str:
    return str(text or "").strip().replace("／", "/").replace("－", "-").upper()


def terminal_problems(designations) -> dict[str, str]:
    """Return designation -> why it is not a terminal of the patch table (empty when all are)."""
    problems = {}
    for name in designations:
        try:
            patching_services.terminal_resolve(name)
        except ValidationError as exc:
            problems[name] = _message(exc)
    return problems


def plan_fields_check(*, order, port: str, extension: str, outlet: str) -> list[str]:
    """Return sentences about a planned port, extension or outlet the patch table does not have."""
    from .models import OrderKind

    problems = []
    if port:
        try:
            patching_services.port_resolve(port)
        except ValidationError as exc:
            problems.append(_message(exc))
    if outlet:
        try:
            patching_services.outlet_resolve(outlet)
        except ValidationError as exc:
            problems.append(_message(exc))
    if (
        order.kind in (OrderKind.INSTALL, OrderKind.NUMBER_CHANGE)
        and extension
        and _extension(extension) is not None
    ):
        problems.append(_("Extension %(number)s is already in use.") % {"number": extension})
    return problems


def _extension(number: str):
    if not number:
        return None
    try:
        return patching_services.extension_resolve(number)
    except ValidationError:
        return None


def _location_of(extension) -> str:
    outlet = getattr(extension, "outlet", None)
    if outlet is None:
        return ""
    room = outlet.room
    return f"{room.building.code}-{room.number}"


def extension_location(*, number: str) -> str:
    """Return where an extension is now (building-room, e.g. A-1203), or ""."""
    ext = _extension(number)
    return _location_of(ext) if ext is not None else ""


def subscribed_departments() -> list:
    """Return the departments that subscribe to added, removed and changed telephones."""
    return patching_selectors.subscribed_departments()


def _trace_hops(**kwargs) -> list:
    trace = patching_selectors.extension_trace(**kwargs)
    return list(getattr(trace, "hops", []) or [])


def _jumpers_in(hops) -> list[tuple[str, str]]:
    """Return the (terminal, terminal) pairs a trace crosses by jumper, in path order."""
    pairs = []
    for i, hop in enumerate(hops):
        if hop.kind == "jumper" and 0 < i < len(hops) - 1:
            pairs.append((hops[i - 1].designation, hops[i + 1].designation))
    return pairs


def terminal_peer(*, terminal: str) -> str:
    """Return the terminal jumpered to ``terminal`` now, or ""."""
    for a, b in _jumpers_in(_trace_hops(text=terminal)):
        if a == terminal:
            return b
        if b == terminal:
            return a
    return ""


def _frame_of(designation: str) -> str:
    return designation.split("/", 1)[0]


def _free(designation: str) -> bool:
    rows = patching_selectors.terminal_search(q=designation, free_only=True, limit=1)
    return bool(rows) and rows[0]["designation"] == designation


def _line_route(*, equipment: str, outlet: str) -> list[dict] | None:
    """Return connect steps from an equipment terminal to an outlet: same frame, or through one riser."""
    hops = _trace_hops(text=outlet)
    terminals = [h.designation for h in hops if h.kind == "terminal"]
    if not terminals or any(h.kind == "jumper" for h in hops):
        return None  # the outlet is not wired, or it is already patched
    line = terminals[0]
    if _frame_of(line) == _frame_of(equipment):
        return [{"action": "connect", "terminal_a": equipment, "terminal_b": line, "note": ""}]
    # A floor frame: find a free riser pair whose far end is on the floor frame and near end on the main frame.
    for row in patching_selectors.terminal_search(
        q="", free_only=True, frame=_frame_of(line), side="line", limit=200
    ):
        if row["designation"] == line:
            continue
        riser = [h.designation for h in _trace_hops(text=row["designation"]) if h.kind == "terminal"]
        near = [t for t in riser if _frame_of(t) == _frame_of(equipment)]
        if near and _free(near[0]):
            return [
                {"action": "connect", "terminal_a": equipment, "terminal_b": near[0], "note": ""},
                {"action": "connect", "terminal_a": row["designation"], "terminal_b": line, "note": ""},
            ]
    return None


def _free_outlet(*, building: str, room: str, outlet: str) -> str:
    if outlet:
        return normalise(outlet)
    for row in patching_selectors.outlet_search(q=f"{normalise(building)}-{normalise(room)}-", limit=20):
        if row["status"] == "free":
            return row["designation"]
    return ""


def plan_suggestion(*, order) -> dict | None:
    """Suggest a plan for the common cases, or None when the patch table has nothing to offer.

    Install: a free PBX port, its equipment terminal, and the line terminal (through one
    riser when the room is served by a floor frame) that reaches the room's outlet. Move:
    disconnect the old path, build the new one from the same equipment terminal, keep the
    number. Removal: disconnect the path and free the number.
    """
    from .models import OrderKind

    outlet = _free_outlet(building=order.building, room=order.room, outlet=order.outlet)
    if order.kind == OrderKind.INSTALL:
        for row in patching_selectors.port_search(q="", free_only=True, limit=50):
            port = patching_selectors.designation_resolve(row["designation"])
            equipment = getattr(getattr(port, "terminal", None), "designation", "")
            if not equipment or not _free(equipment):
                continue
            steps = _line_route(equipment=equipment, outlet=outlet) if outlet else None
            if steps:
                return {
                    "steps": steps,
                    "port": row["designation"],
                    "outlet": outlet,
                    "extension": order.extension,
                }
            return None
        return None
    hops = _trace_hops(extension=order.extension)
    old = [
        {"action": "disconnect", "terminal_a": a, "terminal_b": b, "note": ""} for a, b in _jumpers_in(hops)
    ]
    if order.kind == OrderKind.REMOVAL:
        return {"steps": old} if old else None
    if order.kind == OrderKind.MOVE:
        terminals = [h.designation for h in hops if h.kind == "terminal"]
        if not any(h.kind == "port" for h in hops) or not terminals or not outlet:
            return None
        keep = {"port": "", "outlet": outlet, "extension": order.extension}
        target = [h.designation for h in _trace_hops(text=outlet) if h.kind == "terminal"]
        if target:
            # The old path already reaches the frame that serves the new room: re-patch only there.
            for a, b in reversed(_jumpers_in(hops)):
                if _frame_of(a) == _frame_of(target[0]) and b != target[0]:
                    steps = [
                        {"action": "disconnect", "terminal_a": a, "terminal_b": b, "note": ""},
                        {"action": "connect", "terminal_a": a, "terminal_b": target[0], "note": ""},
                    ]
                    return {"steps": steps, **keep}
        new = _line_route(equipment=terminals[0], outlet=outlet)
        if not new:
            return None
        return {"steps": old + new, **keep}
    return None


def free_terminals_near(*, order, limit: int = 20) -> list[str]:
    """Return free line terminals on the frame that serves the order's room (hints for the plan form)."""
    traces = patching_selectors.extension_trace(text=f"{normalise(order.building)}-{normalise(order.room)}")
    if not isinstance(traces, list):
        return []
    # The frame wired straight to the room's outlets (the last terminal before each outlet).
    frames = []
    for trace in traces:
        hops = list(trace.hops)
        for i, hop in enumerate(hops):
            if hop.kind == "outlet":
                near = [h.designation for h in hops[:i] if h.kind == "terminal"]
                if near and _frame_of(near[-1]) not in frames:
                    frames.append(_frame_of(near[-1]))
    found = []
    for frame in frames[:2]:
        rows = patching_selectors.terminal_search(q="", free_only=True, frame=frame, side="line", limit=limit)
        found += [r["designation"] for r in rows]
    return found[:limit]


def free_ports(*, limit: int = 20) -> list[str]:
    """Return free PBX ports (no extension) for the plan form's hints."""
    return [r["designation"] for r in patching_selectors.port_search(q="", free_only=True, limit=limit)]


def outlets_in_room(*, order, limit: int = 20) -> list[dict]:
    """Return the outlets of the order's room with their state (free or in use)."""
    prefix = f"{normalise(order.building)}-{normalise(order.room)}-"
    return [
        r
        for r in patching_selectors.outlet_search(q=prefix, limit=limit)
        if r["designation"].startswith(prefix)
    ]


# --- writes -----------------------------------------------------------------------------------


def terminals_reserve(*, terminals, reference: str, actor) -> None:
    """Mark free terminals reserved for the order, so the patch table shows the order's number."""
    if not terminals:
        return
    _call(patching_services.terminal_reserve, terminals=list(terminals), reference=reference, actor=actor)


def terminals_release(*, terminals, reference: str, actor) -> None:
    if not terminals:
        return
    _call(patching_services.terminal_release, terminals=list(terminals), reference=reference, actor=actor)


def plan_apply(*, steps, actor, reference: str, reason: str) -> None:
    """Apply the jumper steps all or nothing, re-checked by the patch table as it is now."""
    rows = []
    for step in steps:
        if step.action == "connect":
            rows.append(
                {
                    "action": "connect",
                    "terminal_a": step.terminal_a,
                    "terminal_b": step.terminal_b,
                    "reason": reason,
                }
            )
        else:
            rows.append({"action": "disconnect", "terminal_a": step.terminal_a, "reason": reason})
    _call(patching_services.patch_plan_apply, steps=rows, actor=actor, reference=reference)


def disconnect_check(*, steps) -> list[tuple[int, str]]:
    """Return (position, sentence) for disconnect steps whose two terminals are not jumpered together now."""
    problems = []
    for step in steps:
        if step.action != "disconnect":
            continue
        peer = terminal_peer(terminal=step.terminal_a)
        if peer != step.terminal_b:
            problems.append(
                (
                    step.position,
                    _("%(a)s is not jumpered to %(b)s (now: %(peer)s).")
                    % {"a": step.terminal_a, "b": step.terminal_b, "peer": peer or _("no jumper")},
                )
            )
    return problems


def extension_apply(*, order, actor) -> tuple[str, str]:
    """Bring the extension in line with the completed order; return (old location, new location)."""
    from .models import OrderKind

    reason = str(_("Work order %(number)s") % {"number": order.number})
    # The completed order tells the subscribed departments itself, in one message.
    common = {"actor": actor, "reason": reason, "reference": order.number, "notify": False}
    outlet = order.planned_outlet or order.outlet
    if order.kind == OrderKind.INSTALL:
        number = order.planned_extension or order.extension
        if not number:
            raise PatchTableError(_("Plan the extension number to install."))
        ext = _call(
            patching_services.extension_assign,
            number=number,
            user_name=order.person,
            department=order.department,
            port=order.planned_port or None,
            outlet=outlet or None,
            **common,
        )
        return "", _location_of(ext) or order.location
    ext = _extension(order.extension)
    if ext is None:
        raise PatchTableError(
            _("There is no extension %(number)s in the patch table.") % {"number": order.extension}
        )
    old = _location_of(ext)
    if order.kind == OrderKind.MOVE:
        if not outlet:
            raise PatchTableError(_("Plan the outlet in the new room."))
        fields = {"user_name": order.person, "department": order.department}
        if outlet:
            fields["outlet"] = outlet
        if order.planned_port:
            fields["port"] = order.planned_port
        ext = _call(patching_services.extension_update, extension=ext, **fields, **common)
        return old, _location_of(ext) or order.location
    if order.kind == OrderKind.REMOVAL:
        _call(patching_services.extension_remove, extension=ext, **common)
        return old, ""
    # Number change: the same phone, port and outlet under the new number.
    number = order.planned_extension or order.new_extension
    if not number:
        raise PatchTableError(_("Plan the new extension number."))
    keep = {
        "user_name": order.person or ext.user_name,
        "department": order.department or ext.department,
        "class_of_service": ext.class_of_service,
        "port": ext.port,
        "outlet": ext.outlet,
        "notes": ext.notes,
    }
    if order.planned_port:
        keep["port"] = order.planned_port
    _call(patching_services.extension_remove, extension=ext, **common)
    new = _call(patching_services.extension_assign, number=number, **keep, **common)
    return old, _location_of(new) or old
