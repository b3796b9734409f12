"""Reads of the patch table. Other apps call only these functions (and ``services``).

Stable entry points:

- ``designation_resolve(text)``: the Terminal, PbxPort, CablePair, Outlet or Extension a
  designation (or an extension number) names, or None.
- ``terminal_search(*, q, free_only=False, used_only=False, reserved_only=False, frame=None,
  side=None, limit=20)`` and
  ``port_search(*, q, free_only=False, limit=20)``: type-ahead results, free ones first,
  as dicts ``{"id", "designation", "status", "label"}``.
- ``extension_trace(*, extension=None, outlet=None, room=None, port=None, terminal=None, text=None)``:
  a ``Trace`` (``hops`` ordered from the PBX side to the outlet, ``complete``, ``stop`` saying
  where and why a path stops half way); a room gives a list of traces (one per outlet).
- ``distribution_table(*, filters=None, at=None, order="number")``: an iterator of row dicts
  with the DESIGN.md columns (``COLUMNS``), one per extension and one per spare outlet;
  fetched in chunks with a constant number of queries per chunk, fit for streamed export.
  ``at`` gives the table as it stood at a past moment (rebuilt from the history).
- ``distribution_table_page(*, filters=None, page=1, per_page=50, at=None, order="number")``:
  ``(rows, total)`` for one page: at most seven queries whatever the page size or data size.
- ``distribution_table_diff(*, before, after, filters=None)``: rows added, removed and changed.
- ``jumper_history(*, since=None, until=None, designation=None, actor=None, reference=None,
  action=None, extension=None)``: a queryset of ``PatchEvent``, newest first: every change
  to the patch table (jumpers, extensions, reservations, fault marks).
- ``designation_history(obj, *, limit=50)``: one terminal's or cable pair's history entries.
- ``reservation_list(*, q="", frame=None)``: the reserved terminals (a queryset).
- ``patch_checks(*, limit=200)``: the problems the checks page lists.
- ``terminal_status(terminal)``: free, in use, reserved or faulty.
- ``subscribed_departments()``: the departments told of added, removed and changed telephones.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Department

from . import designations as d
from .models import (
    Block,
    CablePair,
    DepartmentSubscription,
    Extension,
    Jumper,
    JumperEnd,
    Outlet,
    PatchEvent,
    PbxPort,
    Room,
    Terminal,
)

# (key, Chinese header, English header); the Excel import accepts either header.
COLUMNS = [
    ("extension", "分机号", "Extension"),
    ("user", "用户", "User"),
    ("department", "部门", "Department"),
    ("building", "楼栋", "Building"),
    ("floor", "楼层", "Floor"),
    ("room", "房间", "Room"),
    ("outlet", "信息点", "Outlet"),
    ("port", "交换机端口", "PBX port"),
    ("equipment_terminal", "设备侧端子", "Equipment terminal"),
    ("line_terminal", "线路侧端子", "Line terminal"),
    ("riser_pair", "主干线对", "Riser pair"),
    ("floor_terminal", "楼层配线架端子", "Floor terminal"),
    ("notes", "备注", "Notes"),
]
# The floor frame's outlet side, after DESIGN.md's columns in the Excel file (optional on import):
# the floor-frame terminal the horizontal cable leaves from (jumpered to the floor terminal), and
# the horizontal pair from it to the outlet. Without them an imported table's paths stop at the
# floor frame. A row whose path does not reach a floor frame names its outlet's own cable pair
# and where it starts instead (no floor jumper is implied: there is no floor terminal to join);
# a riser pair cabled straight to the outlet is named again as the horizontal pair.
OUTLET_SIDE_COLUMNS = [
    ("floor_outlet_terminal", "楼层出线端子", "Floor outlet terminal"),
    ("horizontal_pair", "水平线对", "Horizontal pair"),
]
EXCEL_COLUMNS = COLUMNS + OUTLET_SIDE_COLUMNS
COLUMN_KEYS = [c[0] for c in EXCEL_COLUMNS]  # what a comparison of two moments looks at
ORDERS = {
    "number": "number",
    "-number": "-number",
    "user": "user_name",
    "-user": "-user_name",
    "department": "department__name",
    "-department": "-department__name",
    "outlet": "outlet__designation",
    "-outlet": "-outlet__designation",
    "port": "port__designation",
    "-port": "-port__designation",
}
CHUNK = 2000


def parse_moment(text):
    """Return an aware datetime for "YYYY-MM-DD HH:MM" (or ISO) local time; ValueError if it is not one."""
    from django.utils import timezone
    from django.utils.dateparse import parse_date, parse_datetime

    value = str(text or "").strip().replace("T", " ")
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        moment = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# --- resolving and searching -----------------------------------------------------------------


def designation_resolve(text):
    """Return the object a designation or extension number names, or None."""
    value = d.normalise(text)
    if not value:
        return None
    ext = Extension.objects.filter(number=value).first()
    if ext is not None:
        return ext
    try:
        parsed = d.parse(value)
    except Exception:  # noqa: BLE001 - any malformed text simply names nothing
        return None
    model = {d.TERMINAL: Terminal, d.PORT: PbxPort, d.PAIR: CablePair, d.OUTLET: Outlet}[parsed.kind]
    return model.objects.filter(designation=parsed.text).first()


def terminal_status(terminal: Terminal) -> str:
    if terminal.faulty:
        return Terminal.Status.FAULTY
    if terminal.reserved_reference:
        return Terminal.Status.RESERVED
    if JumperEnd.objects.filter(terminal=terminal).exists():
        return Terminal.Status.IN_USE
    return Terminal.Status.FREE


def _status_of(row) -> str:
    if row["faulty"]:
        return Terminal.Status.FAULTY
    if row["reserved_reference"]:
        return Terminal.Status.RESERVED
    if row["jumpered"]:
        return Terminal.Status.IN_USE
    return Terminal.Status.FREE


def terminal_search(
    *, q="", free_only=False, used_only=False, reserved_only=False, frame=None, side=None, limit=20
) -> list[dict]:
    """Terminals whose designation contains ``q``, free ones first (for type-ahead)."""
    value = d.normalise(q)
    qs = Terminal.objects.annotate(jumpered=Exists(JumperEnd.objects.filter(terminal=OuterRef("pk"))))
    if value:
        qs = (
            qs.filter(designation__startswith=value)
            if "/" in value
            else qs.filter(designation__icontains=value)
        )
    if frame:
        qs = qs.filter(frame__code=d.normalise(frame))
    if side:
        qs = qs.filter(side=side)
    if free_only:
        qs = qs.filter(jumpered=False, faulty=False, reserved_reference="")
    if used_only:
        qs = qs.filter(jumpered=True)
    if reserved_only:
        qs = qs.exclude(reserved_reference="")
    rows = list(
        qs.order_by("jumpered", "faulty", "designation").values(
            "id", "designation", "faulty", "reserved_reference", "jumpered", "side"
        )[:limit]
    )
    labels = dict(Terminal.Status.choices)
    out = []
    for row in rows:
        status = _status_of(row)
        out.append(
            {
                "id": row["id"],
                "designation": row["designation"],
                "status": status,
                "label": f"{row['designation']} · {labels[status]}",
            }
        )
    free = [r for r in out if r["status"] == Terminal.Status.FREE]
    return free + [r for r in out if r["status"] != Terminal.Status.FREE]


def port_search(*, q="", free_only=False, limit=20) -> list[dict]:
    value = d.normalise(q)
    qs = PbxPort.objects.annotate(used=Exists(Extension.objects.filter(port=OuterRef("pk"))))
    if value:
        qs = qs.filter(designation__icontains=value)
    if free_only:
        qs = qs.filter(used=False)
    rows = qs.order_by("used", "designation").values("id", "designation", "used")[:limit]
    return [
        {
            "id": r["id"],
            "designation": r["designation"],
            "status": "in_use" if r["used"] else "free",
            "label": f"{r['designation']} · {_('In use') if r['used'] else _('Free')}",
        }
        for r in rows
    ]


def outlet_search(*, q="", limit=20) -> list[dict]:
    value = d.normalise(q)
    qs = Outlet.objects.annotate(used=Exists(Extension.objects.filter(outlet=OuterRef("pk"))))
    if value:
        qs = qs.filter(designation__icontains=value)
    rows = qs.order_by("used", "designation").values("id", "designation", "used")[:limit]
    return [
        {
            "id": r["id"],
            "designation": r["designation"],
            "label": r["designation"],
            "status": "in_use" if r["used"] else "free",
        }
        for r in rows
    ]


# --- trace -----------------------------------------------------------------------------------


@dataclass
class Hop:
    kind: str  # extension, port, terminal, jumper, pair, outlet, room
    designation: str
    label: str = ""
    url_q: str = ""
    pk: int | None = field(default=None, compare=False, repr=False)


@dataclass
class Trace:
    hops: list[Hop] = field(default_factory=list)
    complete: bool = False
    stop: str = ""
    start: str = ""

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "complete": self.complete,
            "stop": self.stop,
            "hops": [
                {"kind": h.kind, "designation": h.designation, "label": str(h.label)} for h in self.hops
            ],
        }


# A trace reads every terminal it can reach in one query: a recursive walk over jumper ends and
# cable pairs (away from the terminal it came from, at most ``_REACH`` steps out, which covers a
# walk's 50 steps), then each reached terminal with its jumper, PBX port and extension, the pairs it
# ends and the outlet (with room) its near pair goes to. The walk itself then runs in memory.
_REACH = 50
_NEXT = "CASE k.n WHEN 1 THEN je.peer_id WHEN 2 THEN pn.far_terminal_id ELSE pf.near_terminal_id END"
_TRACE_SQL = f"""
WITH RECURSIVE reach(id, came_from, depth) AS (
    SELECT CAST(seed.id AS bigint), CAST(0 AS bigint), 0 FROM ({{seed}}) seed WHERE seed.id IS NOT NULL
    UNION
    SELECT {_NEXT}, r.id, r.depth + 1
    FROM reach r
    LEFT JOIN patching_jumperend je ON je.terminal_id = r.id
    LEFT JOIN patching_cablepair pn ON pn.near_terminal_id = r.id
    LEFT JOIN patching_cablepair pf ON pf.far_terminal_id = r.id
    CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) k
    WHERE r.depth < {_REACH} AND {_NEXT} IS NOT NULL AND {_NEXT} <> r.came_from
)
SELECT t.id, reached.depth, t.designation, t.side, je.peer_id,
       pp.designation, e.id, e.number, e.user_name,
       pn.designation, pn.near_terminal_id, pn.far_terminal_id, pn.outlet_id, pn.faulty,
       pf.designation, pf.near_terminal_id, pf.far_terminal_id, pf.outlet_id, pf.faulty,
       o.designation, rm.number, b.code
FROM (SELECT id, MIN(depth) AS depth FROM reach GROUP BY id) reached
JOIN patching_terminal t ON t.id = reached.id
LEFT JOIN patching_jumperend je ON je.terminal_id = t.id
LEFT JOIN patching_pbxport pp ON pp.terminal_id = t.id
LEFT JOIN patching_extension e ON e.port_id = pp.id
LEFT JOIN patching_cablepair pn ON pn.near_terminal_id = t.id
LEFT JOIN patching_cablepair pf ON pf.far_terminal_id = t.id
LEFT JOIN patching_outlet o ON o.id = pn.outlet_id
LEFT JOIN patching_room rm ON rm.id = o.room_id
LEFT JOIN patching_building b ON b.id = rm.building_id
"""
_SEED_TERMINAL = "SELECT %s AS id"
_SEED_PORT = "SELECT terminal_id AS id FROM patching_pbxport WHERE id = %s"
_SEED_OUTLET = "SELECT near_terminal_id AS id FROM patching_cablepair WHERE outlet_id = %s"


@dataclass
class _Pair:
    designation: str
    near_terminal_id: int | None
    far_terminal_id: int | None
    outlet_id: int | None
    faulty: bool


@dataclass
class _Node:
    """One terminal as a walk sees it."""

    id: int
    designation: str
    side: str
    peer_id: int | None
    port: str | None  # the PBX port wired to it
    extension: tuple[str, str] | None  # (number, user) on that port
    pairs: list[_Pair]  # the pairs it ends (near, then far)
    outlet: tuple[str, str] | None  # (outlet, room) its near pair goes to

    def side_display(self) -> str:
        return force_str(_SIDES.get(self.side, self.side))


_SIDES = dict(Block.Side.choices)


class _Plant(dict):
    """The terminals a trace can reach, by id; one more query should a walk step beyond them."""

    def __init__(self, seed: str, param):
        super().__init__()
        self.start = self._read(seed, param)

    def _read(self, seed: str, param) -> int | None:
        start = None
        with connection.cursor() as cursor:
            cursor.execute(_TRACE_SQL.format(seed=seed), [param])
            for row in cursor.fetchall():
                (tid, depth, designation, side, peer_id, port, ext_id, number, user) = row[:9]
                pairs = [
                    _Pair(p[0], p[1], p[2], p[3], bool(p[4]))
                    for p in (row[9:14], row[14:19])
                    if p[0] is not None
                ]
                outlet = (row[19], f"{row[21]}-{row[20]}") if row[19] is not None else None
                extension = (number, user) if ext_id is not None else None
                self.setdefault(tid, _Node(tid, designation, side, peer_id, port, extension, pairs, outlet))
                if depth == 0:
                    start = tid
        return start

    def node(self, terminal_id: int) -> _Node:
        if terminal_id not in self:
            self._read(_SEED_TERMINAL, terminal_id)
        return self[terminal_id]


def _walk(plant: _Plant, node: _Node, next_is_jumper: bool, visited: set) -> tuple[list[Hop], str, str]:
    """Walk from ``node`` away from where we came; return hops, the end kind and a stop reason."""
    hops: list[Hop] = []
    current = node
    for _step in range(50):
        if next_is_jumper:
            if current.peer_id is None:
                return hops, "", str(_("%(terminal)s carries no jumper") % {"terminal": current.designation})
            if current.peer_id in visited:
                return (
                    hops,
                    "",
                    str(
                        _("the path loops back at %(terminal)s")
                        % {"terminal": plant.node(current.peer_id).designation}
                    ),
                )
            hops.append(Hop("jumper", "", _("jumper")))
            current = plant.node(current.peer_id)
            visited.add(current.id)
            hops.append(Hop("terminal", current.designation, current.side_display()))
            next_is_jumper = False
            continue
        if current.port is not None:
            hops.append(Hop("port", current.port, _("PBX port")))
            if current.extension is None:
                return (
                    hops,
                    "port",
                    str(_("PBX port %(port)s carries no extension") % {"port": current.port}),
                )
            hops.append(Hop("extension", *current.extension))
            return hops, "extension", ""
        # The pair this terminal ends (the first by designation, should it end two).
        pair = min(current.pairs, key=lambda p: p.designation) if current.pairs else None
        if pair is None:
            return (
                hops,
                "",
                str(
                    _("%(terminal)s is wired to no cable pair or PBX port")
                    % {"terminal": current.designation}
                ),
            )
        hops.append(Hop("pair", pair.designation, _("faulty pair") if pair.faulty else _("cable pair")))
        if pair.near_terminal_id == current.id:
            if pair.outlet_id:
                outlet, room = current.outlet
                hops.append(Hop("outlet", outlet, _("outlet"), pk=pair.outlet_id))
                hops.append(Hop("room", room, _("room")))
                return hops, "outlet", ""
            other_id = pair.far_terminal_id
        else:
            other_id = pair.near_terminal_id
        if other_id is None:
            return hops, "", str(_("cable pair %(pair)s has no far end") % {"pair": pair.designation})
        other = plant.node(other_id)
        if other.id in visited:
            return hops, "", str(_("the path loops back at %(terminal)s") % {"terminal": other.designation})
        visited.add(other.id)
        hops.append(Hop("terminal", other.designation, other.side_display()))
        current = other
        next_is_jumper = True
    return hops, "", str(_("the path is too long"))


def _reverse(hops: list[Hop]) -> list[Hop]:
    return list(reversed(hops))


def _trace_from(plant: _Plant, start: str | None = None) -> Trace:
    """Trace both ways from the plant's start terminal (``start`` names where the trace began)."""
    terminal = plant[plant.start]
    visited = {terminal.id}
    here = Hop("terminal", terminal.designation, terminal.side_display())
    jumper_side, jumper_end, jumper_stop = _walk(plant, terminal, True, visited)
    wire_side, wire_end, wire_stop = _walk(plant, terminal, False, visited)
    # Orient: the side that reaches the PBX/extension comes first.
    if jumper_end in ("extension", "port") or wire_end == "outlet":
        hops = _reverse(jumper_side) + [here] + wire_side
        ends = (jumper_end, wire_end)
        stops = (jumper_stop, wire_stop)
    else:
        hops = _reverse(wire_side) + [here] + jumper_side
        ends = (wire_end, jumper_end)
        stops = (wire_stop, jumper_stop)
    complete = ends[0] == "extension" and ends[1] == "outlet"
    stop = "; ".join(s for s in stops if s)
    return Trace(
        hops=hops, complete=complete, stop=stop, start=terminal.designation if start is None else start
    )


def _trace_terminal(terminal_id: int) -> Trace:
    plant = _Plant(_SEED_TERMINAL, terminal_id)
    if plant.start is None:
        raise Terminal.DoesNotExist(f"no terminal {terminal_id}")
    return _trace_from(plant)


def extension_trace(*, extension=None, outlet=None, room=None, port=None, terminal=None, text=None):
    """Return the path through an extension, outlet, PBX port or terminal (a list of traces for a room)."""
    if text is not None:
        found = designation_resolve(text)
        if found is None:
            value = d.normalise(text)
            room_obj = None
            if "-" in value and "/" not in value:
                building, _sep, number = value.partition("-")
                room_obj = Room.objects.filter(building__code=building, number=number).first()
            if room_obj is None:
                return Trace(
                    start=value, stop=str(_("%(text)s names nothing in the patch table") % {"text": value})
                )
            room = room_obj
        elif isinstance(found, Extension):
            extension = found
        elif isinstance(found, Outlet):
            outlet = found
        elif isinstance(found, PbxPort):
            port = found
        elif isinstance(found, Terminal):
            terminal = found
        elif isinstance(found, CablePair):
            terminal = found.near_terminal_id or found.far_terminal_id
            if terminal is None:
                return Trace(
                    start=found.designation,
                    stop=str(_("cable pair %(pair)s is not wired") % {"pair": found.designation}),
                )
    if room is not None:
        if not isinstance(room, Room):
            room = Room.objects.get(pk=room)
        return [extension_trace(outlet=o) for o in room.outlets.order_by("number")]
    if isinstance(extension, str):
        extension = Extension.objects.filter(number=extension.strip()).first()
        if extension is None:
            return Trace(stop=str(_("no such extension")))
    if extension is not None:
        head = [Hop("extension", extension.number, extension.user_name)]
        if extension.port_id is None:
            return Trace(
                hops=head,
                start=extension.number,
                stop=str(_("extension %(number)s has no PBX port") % {"number": extension.number}),
            )
        plant = _Plant(_SEED_PORT, extension.port_id)
        if plant.start is None:
            port_obj = PbxPort.objects.get(pk=extension.port_id)
            return Trace(
                hops=head + [Hop("port", port_obj.designation, _("PBX port"))],
                start=extension.number,
                stop=str(_("PBX port %(port)s is wired to no terminal") % {"port": port_obj.designation}),
            )
        trace = _trace_from(plant, extension.number)
        reached_hop = next((h for h in trace.hops if h.kind == "outlet"), None)
        if (
            trace.complete
            and extension.outlet_id
            and (reached_hop is None or reached_hop.pk != extension.outlet_id)
        ):
            reached = reached_hop.designation if reached_hop else ""
            recorded = (
                Outlet.objects.filter(pk=extension.outlet_id).values_list("designation", flat=True).first()
            )
            if reached != recorded:
                trace.stop = str(
                    _("the path reaches %(reached)s, but the extension is recorded at %(recorded)s")
                    % {"reached": reached, "recorded": recorded}
                )
        return trace
    if port is not None:
        if not isinstance(port, PbxPort):
            port = PbxPort.objects.get(pk=port)
        if port.terminal_id is None:
            return Trace(
                hops=[Hop("port", port.designation, _("PBX port"))],
                start=port.designation,
                stop=str(_("PBX port %(port)s is wired to no terminal") % {"port": port.designation}),
            )
        return _trace_from(_Plant(_SEED_TERMINAL, port.terminal_id), port.designation)
    if outlet is not None:
        if not isinstance(outlet, Outlet):
            outlet = Outlet.objects.get(pk=outlet)
        plant = _Plant(_SEED_OUTLET, outlet.pk)
        if plant.start is None:
            return Trace(
                hops=[Hop("outlet", outlet.designation, _("outlet"))],
                start=outlet.designation,
                stop=str(_("outlet %(outlet)s is wired to no cable pair") % {"outlet": outlet.designation}),
            )
        return _trace_from(plant, outlet.designation)
    if terminal is not None:
        return _trace_terminal(terminal.pk if isinstance(terminal, Terminal) else terminal)
    return Trace(stop=str(_("nothing to trace")))


# --- the distribution table ------------------------------------------------------------------

EXT_VALUES = (
    "number",
    "user_name",
    "department__name",
    "class_of_service",
    "port__designation",
    "port__terminal_id",
    "port__terminal__designation",
    "outlet__designation",
    "outlet__room__number",
    "outlet__room__floor__number",
    "outlet__room__building__code",
    "outlet__pair__designation",
    "outlet__pair__near_terminal__designation",
    "notes",
)


def _filter_extensions(qs, f: dict):
    if f.get("building"):
        qs = qs.filter(outlet__room__building__code=d.normalise(f["building"]))
    if f.get("floor") not in (None, ""):
        qs = qs.filter(outlet__room__floor__number=int(f["floor"]))
    if f.get("room"):
        qs = qs.filter(outlet__room__number=d.normalise(f["room"]))
    if f.get("department"):
        dep = f["department"]
        qs = qs.filter(department_id=dep.pk if isinstance(dep, Department) else int(dep))
    if f.get("frame"):
        code = d.normalise(f["frame"])
        qs = qs.filter(Q(port__terminal__frame__code=code) | Q(outlet__pair__near_terminal__frame__code=code))
    if f.get("q"):
        qs = qs.filter(_search_extensions(str(f["q"]).strip()))
    return qs


def _search_extensions(value: str) -> Q:
    """The condition an extension meets when its row shows ``value`` in any column.

    Each linked table is searched on its own, in a subquery of plain lookups (joined by UNION
    where one column can match several ways) that an index can answer: on PostgreSQL, the
    trigram indexes (migration 0005_search_trigram) serve substring matches of three characters
    or more.
    The extension table itself is read once, whatever the other tables hold.
    """
    norm = d.normalise(value)
    if connection.vendor == "postgresql" and len(norm) >= 3:
        # The trigram indexes find the ports and the terminals by themselves; then the ports
        # wired to those terminals, by key.
        terminals = Terminal.objects.filter(designation__icontains=norm).order_by().values("pk")
        ports = [
            PbxPort.objects.filter(designation__icontains=norm).order_by().values("pk"),
            PbxPort.objects.filter(terminal__in=terminals).order_by().values("pk"),
        ]
    else:
        # No index serves the match: one pass over the ports, each with its terminal, is cheapest.
        ports = [
            PbxPort.objects.filter(Q(designation__icontains=norm) | Q(terminal__designation__icontains=norm))
            .order_by()
            .values("pk")
        ]
    outlets = Outlet.objects.filter(designation__icontains=norm).order_by().values("pk")
    if "/" in norm:
        # The line terminal, riser pair and floor terminal columns match whole designations:
        # the line terminals so named, then the equipment terminals jumpered to them.
        named = Terminal.objects.filter(designation=norm).order_by().values("pk")
        line = named.union(
            CablePair.objects.filter(designation=norm, near_terminal__isnull=False)
            .order_by()
            .values("near_terminal_id"),
            CablePair.objects.filter(far_terminal__in=named, near_terminal__isnull=False)
            .order_by()
            .values("near_terminal_id"),
            all=True,
        )
        equipment = JumperEnd.objects.filter(peer__in=line).order_by().values("terminal_id")
        ports.append(PbxPort.objects.filter(terminal__in=equipment).order_by().values("pk"))
    else:
        # A frame's code: the rows whose PBX port is on that frame (above) or whose outlet is
        # cabled from it (below), as the frame filter finds them.
        ports.append(PbxPort.objects.filter(terminal__frame__code=norm).order_by().values("pk"))
        outlets = outlets.union(_outlets_cabled_from(norm), all=True)
    return (
        Q(number__icontains=value)
        | Q(user_name__icontains=value)
        | Q(department__in=Department.objects.filter(name__icontains=value).order_by().values("pk"))
        | Q(outlet__in=outlets)
        | Q(port__in=ports[0].union(*ports[1:], all=True))
    )


def _outlets_cabled_from(frame_code: str):
    return Outlet.objects.filter(pair__near_terminal__frame__code=frame_code).order_by().values("pk")


def _filter_spare(qs, f: dict):
    if f.get("department"):
        return qs.none()
    if f.get("building"):
        qs = qs.filter(room__building__code=d.normalise(f["building"]))
    if f.get("floor") not in (None, ""):
        qs = qs.filter(room__floor__number=int(f["floor"]))
    if f.get("room"):
        qs = qs.filter(room__number=d.normalise(f["room"]))
    if f.get("frame"):
        qs = qs.filter(pair__near_terminal__frame__code=d.normalise(f["frame"]))
    if f.get("q"):
        norm = d.normalise(f["q"])
        found = Q(designation__icontains=norm)
        if "/" not in norm:
            found |= Q(pk__in=_outlets_cabled_from(norm))
        qs = qs.filter(found)
    return qs


def _extension_qs(f: dict, order: str):
    qs = Extension.objects.all()
    qs = _filter_extensions(qs, f)
    if f.get("status") == "spare":
        qs = qs.none()
    return qs.order_by(ORDERS.get(order, "number"), "pk")


def _spare_qs(f: dict):
    qs = Outlet.objects.filter(extensions__isnull=True)
    qs = _filter_spare(qs, f)
    if f.get("status") == "extension":
        qs = qs.none()
    return qs.order_by("designation")


def _complete_rows(ext_rows: list[dict]) -> list[dict]:
    """Flatten each extension's path into the table columns: two queries for the whole batch."""
    equip_ids = [r["port__terminal_id"] for r in ext_rows if r["port__terminal_id"]]
    peers = {
        t: (p, pd)
        for t, p, pd in JumperEnd.objects.filter(terminal_id__in=equip_ids).values_list(
            "terminal_id", "peer_id", "peer__designation"
        )
    }
    return _rows_with(ext_rows, peers)


def _rows_with(ext_rows, peers, past=False) -> list[dict]:
    """Rows for ``ext_rows`` given the jumpers ``peers`` ({terminal id: (peer id, peer designation)}).

    Now, the floor frame's jumpers are joined into the riser pairs' query; for a past moment they
    come from ``peers`` (rebuilt from the history) and one more query reads their horizontal pairs.
    """
    line_ids = [peers[r["port__terminal_id"]][0] for r in ext_rows if r["port__terminal_id"] in peers]
    riser = CablePair.objects.filter(near_terminal_id__in=line_ids)
    pairs = {}
    if past:
        found = list(
            riser.values_list(
                "near_terminal_id", "designation", "far_terminal_id", "far_terminal__designation"
            )
        )
        # The history keeps each jumper end's name as it was then; after a rename the past table
        # would mix old and new names, so the ends are named as they are named today.
        out_ids = [peers[far_id][0] for _near, _d, far_id, _far in found if far_id in peers]
        names = dict(Terminal.objects.filter(pk__in=line_ids + out_ids).values_list("id", "designation"))
        floor_out = {}
        for near, designation, far_id, far in found:
            peer = peers.get(far_id) if far_id else None
            pairs[near] = (designation, far, names.get(peer[0], peer[1]) if peer else None, None)
            if peer:
                floor_out[peer[0]] = near
        peers = {
            r["port__terminal_id"]: (peer[0], names.get(peer[0], peer[1]))
            for r in ext_rows
            if (peer := peers.get(r["port__terminal_id"]))
        }
        horizontal = CablePair.objects.filter(near_terminal_id__in=list(floor_out)).values_list(
            "near_terminal_id", "designation"
        )
        for out_id, designation in horizontal:
            near = floor_out[out_id]
            pairs[near] = pairs[near][:3] + (designation,)
    else:
        pairs = {
            near: (designation, far, out, horizontal)
            for near, designation, far, out, horizontal in riser.values_list(
                "near_terminal_id",
                "designation",
                "far_terminal__designation",
                "far_terminal__jumper_end__peer__designation",
                "far_terminal__jumper_end__peer__pair_near__designation",
            )
        }
    return _build_rows(ext_rows, peers, pairs)


PATH_VALUES = (
    "port__terminal__jumper_end__peer",
    "port__terminal__jumper_end__peer__designation",
    "port__terminal__jumper_end__peer__pair_near__designation",
    "port__terminal__jumper_end__peer__pair_near__far_terminal__designation",
    "port__terminal__jumper_end__peer__pair_near__far_terminal__jumper_end__peer__designation",
    "port__terminal__jumper_end__peer__pair_near__far_terminal__jumper_end__peer__pair_near__designation",
)


def _joined_rows(ext_rows: list[dict]) -> list[dict]:
    """Rows read with ``PATH_VALUES`` joined in (all one-to-one): no further queries."""
    peers, pairs = {}, {}
    for r in ext_rows:
        peer_id = r["port__terminal__jumper_end__peer"]
        if peer_id is None:
            continue
        peers[r["port__terminal_id"]] = (peer_id, r["port__terminal__jumper_end__peer__designation"])
        pair = r["port__terminal__jumper_end__peer__pair_near__designation"]
        if pair is not None:
            pairs[peer_id] = (
                pair,
                r["port__terminal__jumper_end__peer__pair_near__far_terminal__designation"],
                r["port__terminal__jumper_end__peer__pair_near__far_terminal__jumper_end__peer__designation"],
                r[
                    "port__terminal__jumper_end__peer__pair_near__far_terminal__jumper_end__peer__pair_near__designation"
                ],
            )
    return _build_rows(ext_rows, peers, pairs)


def _build_rows(ext_rows, peers, pairs) -> list[dict]:
    """``pairs``: {line terminal id: (riser pair, floor terminal, floor outlet terminal, horizontal pair)}."""
    rows = []
    for r in ext_rows:
        peer = peers.get(r["port__terminal_id"])
        pair = pairs.get(peer[0]) if peer else None
        floor_terminal = (pair[1] or "") if pair else ""
        if floor_terminal:
            # The path goes on from the floor terminal through its jumper (if any).
            floor_out, horizontal = pair[2] or "", pair[3] or ""
        else:
            # No floor frame on the path: the recorded outlet's own cable pair and where it starts
            # (only the pair, should that be the riser pair itself, cabled straight to the outlet).
            horizontal = r.get("outlet__pair__designation") or ""
            floor_out = r.get("outlet__pair__near_terminal__designation") or ""
            if pair and horizontal == pair[0]:
                floor_out = ""
        row = {
            "kind": "extension",
            "extension": r["number"],
            "user": r["user_name"],
            "department": r["department__name"] or "",
            "building": r["outlet__room__building__code"] or "",
            "floor": r["outlet__room__floor__number"] if r["outlet__room__floor__number"] is not None else "",
            "room": r["outlet__room__number"] or "",
            "outlet": r["outlet__designation"] or "",
            "port": r["port__designation"] or "",
            "equipment_terminal": r["port__terminal__designation"] or "",
            "line_terminal": peer[1] if peer else "",
            "riser_pair": pair[0] if pair else "",
            "floor_terminal": floor_terminal,
            "notes": r["notes"] or "",
            "floor_outlet_terminal": floor_out,
            "horizontal_pair": horizontal,
            "class_of_service": r.get("class_of_service") or "",
        }
        row["complete"] = bool(
            row["port"] and row["equipment_terminal"] and row["line_terminal"] and row["riser_pair"]
        )
        rows.append(row)
    return rows


def _spare_row(o: dict) -> dict:
    return {
        "kind": "spare",
        "extension": "",
        "user": "",
        "department": "",
        "building": o["room__building__code"],
        "floor": o["room__floor__number"],
        "room": o["room__number"],
        "outlet": o["designation"],
        "port": "",
        "equipment_terminal": "",
        "line_terminal": "",
        "riser_pair": "",
        "floor_terminal": "",
        "notes": "",
        "floor_outlet_terminal": o.get("pair__near_terminal__designation") or "",
        "horizontal_pair": o.get("pair__designation") or "",
        "class_of_service": "",
        "complete": False,
    }


SPARE_VALUES = (
    "designation",
    "room__number",
    "room__floor__number",
    "room__building__code",
    "pair__designation",
    "pair__near_terminal__designation",
)


def distribution_table(*, filters=None, at=None, order="number") -> Iterator[dict]:
    """Yield the table's rows (extensions, then spare outlets), in chunks: flat memory, few queries."""
    f = dict(filters or {})
    if at is not None:
        yield from _table_at(at, f, order)
        return
    # Whole-table reads join the path in (every link is one-to-one): one query per chunk.
    ext_qs = _extension_qs(f, order).values(*EXT_VALUES, *PATH_VALUES)
    if ORDERS.get(order, "number") == "number":
        # Keyset chunks on the unique number: each chunk costs the same however deep it is.
        last = None
        while True:
            qs = ext_qs if last is None else ext_qs.filter(number__gt=last)
            chunk = list(qs[:CHUNK])
            if not chunk:
                break
            yield from _joined_rows(chunk)
            last = chunk[-1]["number"]
    else:
        start = 0
        while True:
            chunk = list(ext_qs[start : start + CHUNK])
            if not chunk:
                break
            yield from _joined_rows(chunk)
            start += CHUNK
    spare_qs = _spare_qs(f).values(*SPARE_VALUES)
    last = None
    while True:
        qs = spare_qs if last is None else spare_qs.filter(designation__gt=last)
        chunk = list(qs[:CHUNK])
        if not chunk:
            break
        for o in chunk:
            yield _spare_row(o)
        last = chunk[-1]["designation"]


def distribution_table_page(
    *, filters=None, page=1, per_page=50, at=None, order="number"
) -> tuple[list[dict], int]:
    """Return one page of rows and the total: a constant number of queries (count, count, rows, paths)."""
    f = dict(filters or {})
    per_page = max(1, min(int(per_page), 500))
    page = max(1, int(page))
    offset = (page - 1) * per_page
    if at is not None:
        return _table_at_page(at, f, order, offset, per_page)
    ext_qs = _extension_qs(f, order)
    spare_qs = _spare_qs(f)
    n_ext = ext_qs.count()
    n_spare = spare_qs.count()
    ext_rows = []
    if offset < n_ext:
        # Deep pages: the offset is walked over the extensions' ids alone (only the joins the
        # filters and the order need), then the page's rows are read with their joins by id.
        # (Two queries: given the ids as a list, the database joins only those rows.)
        ids = list(ext_qs.values_list("pk", flat=True)[offset : offset + per_page])
        ext_rows = (
            list(Extension.objects.filter(pk__in=ids).order_by(*ext_qs.query.order_by).values(*EXT_VALUES))
            if ids
            else []
        )
    rows = _complete_rows(ext_rows)
    room_left = per_page - len(rows)
    spare_offset = max(0, offset - n_ext)
    # At most one spare-outlet query, and none when extensions fill the page: seven queries at most.
    if room_left > 0:
        spare = spare_qs.values(*SPARE_VALUES)[spare_offset : spare_offset + room_left]
        rows += [_spare_row(o) for o in spare]
    return rows, n_ext + n_spare


# --- the past: rebuilt from the history ------------------------------------------------------


def _jumpers_at(at) -> dict[int, tuple[int, str]]:
    """Return {terminal_id: (peer_id, peer designation)} for the jumpers live at ``at``."""
    # Two plain index scans and a set difference: no correlated subquery for a planner to get wrong.
    gone = set(
        PatchEvent.objects.filter(action=PatchEvent.Action.DISCONNECT, at__lte=at)
        .order_by()
        .values_list("jumper_key", flat=True)
    )
    live = (
        PatchEvent.objects.filter(action=PatchEvent.Action.CONNECT, at__lte=at)
        .order_by()
        .values_list("jumper_key", "terminal_a_id", "terminal_b_id", "a_designation", "b_designation")
    )
    peers = {}
    for key, a, b, ad, bd in live:
        if key in gone:
            continue
        peers[a] = (b, bd)
        peers[b] = (a, ad)
    return peers


def _extensions_at(at) -> list[dict]:
    """Return the extensions as they stood at ``at`` (last history snapshot of each number)."""
    events = (
        PatchEvent.objects.filter(
            action__in=[
                PatchEvent.Action.EXTENSION_ADD,
                PatchEvent.Action.EXTENSION_CHANGE,
                PatchEvent.Action.EXTENSION_REMOVE,
            ],
            at__lte=at,
        )
        .order_by("at", "pk")
        .values_list("action", "extension_number", "data")
    )
    state: dict[str, dict] = {}
    for action, number, data in events:
        if action == PatchEvent.Action.EXTENSION_REMOVE:
            state.pop(number, None)
        else:
            state[number] = data
    return list(state.values())


def _table_at_parts(at, f: dict, order: str):
    """The past table's pieces: its extension rows (filtered, sorted), the jumpers then, the spare outlets."""
    snaps = _extensions_at(at)
    ports = {
        p["id"]: p
        for p in PbxPort.objects.values(
            "id", "designation", "terminal_id", "terminal__designation", "terminal__frame__code"
        )
    }
    outlets = {
        o["id"]: o
        for o in Outlet.objects.all().values(
            "id",
            "designation",
            "room__number",
            "room__floor__number",
            "room__building__code",
            "pair__near_terminal__frame__code",
            "pair__designation",
            "pair__near_terminal__designation",
        )
    }
    departments = dict(Department.objects.values_list("id", "name"))
    ext_rows = []
    for s in snaps:
        p = ports.get(s.get("port_id")) or {}
        o = outlets.get(s.get("outlet_id")) or {}
        ext_rows.append(
            {
                "number": s["number"],
                "user_name": s.get("user_name", ""),
                "department__name": departments.get(s.get("department_id"), ""),
                "department_id": s.get("department_id"),
                "class_of_service": s.get("class_of_service", ""),
                "port__designation": p.get("designation"),
                "port__terminal_id": p.get("terminal_id"),
                "port__terminal__designation": p.get("terminal__designation"),
                "outlet__designation": o.get("designation"),
                "outlet__room__number": o.get("room__number"),
                "outlet__room__floor__number": o.get("room__floor__number"),
                "outlet__room__building__code": o.get("room__building__code"),
                "outlet__pair__designation": o.get("pair__designation"),
                "outlet__pair__near_terminal__designation": o.get("pair__near_terminal__designation"),
                "notes": s.get("notes", ""),
                "_frames": {p.get("terminal__frame__code"), o.get("pair__near_terminal__frame__code")},
            }
        )

    def keep_ext(r):
        if f.get("status") == "spare":
            return False
        if f.get("building") and r["outlet__room__building__code"] != d.normalise(f["building"]):
            return False
        if f.get("floor") not in (None, "") and r["outlet__room__floor__number"] != int(f["floor"]):
            return False
        if f.get("room") and r["outlet__room__number"] != d.normalise(f["room"]):
            return False
        if f.get("department"):
            dep = f["department"]
            if r["department_id"] != (dep.pk if isinstance(dep, Department) else int(dep)):
                return False
        if f.get("frame") and d.normalise(f["frame"]) not in r["_frames"]:
            return False
        if f.get("q"):
            q = str(f["q"]).strip().upper()
            hay = " ".join(
                str(r.get(k) or "") for k in EXT_VALUES if not k.startswith("outlet__pair")
            ).upper()
            if q not in hay and d.normalise(f["q"]) not in r["_frames"]:
                return False
        return True

    ext_rows = [r for r in ext_rows if keep_ext(r)]
    key = ORDERS.get(order, "number")
    reverse = key.startswith("-")
    field_name = {
        "number": "number",
        "user_name": "user_name",
        "department__name": "department__name",
        "outlet__designation": "outlet__designation",
        "port__designation": "port__designation",
    }[key.lstrip("-")]
    ext_rows.sort(key=lambda r: r.get(field_name) or "", reverse=reverse)
    used_outlets = {s.get("outlet_id") for s in snaps}
    spares = []
    if not (f.get("status") == "extension" or f.get("department")):
        for o in sorted(outlets.values(), key=lambda o: o["designation"]):
            if o["id"] in used_outlets:
                continue
            if f.get("building") and o["room__building__code"] != d.normalise(f["building"]):
                continue
            if f.get("floor") not in (None, "") and o["room__floor__number"] != int(f["floor"]):
                continue
            if f.get("room") and o["room__number"] != d.normalise(f["room"]):
                continue
            if f.get("frame") and o["pair__near_terminal__frame__code"] != d.normalise(f["frame"]):
                continue
            if f.get("q") and not (
                d.normalise(f["q"]) in o["designation"]
                or d.normalise(f["q"]) == o["pair__near_terminal__frame__code"]
            ):
                continue
            spares.append(o)
    return ext_rows, _jumpers_at(at), spares


def _table_at(at, f: dict, order: str) -> Iterator[dict]:
    ext_rows, peers, spares = _table_at_parts(at, f, order)
    for start in range(0, len(ext_rows), CHUNK):
        yield from _rows_with(ext_rows[start : start + CHUNK], peers, past=True)
    for o in spares:
        yield _spare_row(o)


def _table_at_page(at, f: dict, order: str, offset: int, limit: int) -> tuple[list[dict], int]:
    """One page of the past table: only that page's paths are looked up."""
    ext_rows, peers, spares = _table_at_parts(at, f, order)
    rows = _rows_with(ext_rows[offset : offset + limit], peers, past=True)
    spare_offset = max(0, offset - len(ext_rows))
    rows += [_spare_row(o) for o in spares[spare_offset : spare_offset + limit - len(rows)]]
    return rows, len(ext_rows) + len(spares)


def distribution_table_diff(*, before, after, filters=None) -> list[dict]:
    """Compare the table at two moments: rows added, removed or changed (with the changed columns)."""

    def keyed(rows):
        return {(r["kind"], r["extension"] or r["outlet"]): r for r in rows}

    old = keyed(distribution_table(filters=filters, at=before))
    new = keyed(distribution_table(filters=filters, at=after))
    changes = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1])):
        a, b = old.get(key), new.get(key)
        if a is None:
            changes.append({"change": "added", "row": b, "before": None, "columns": []})
        elif b is None:
            changes.append({"change": "removed", "row": a, "before": a, "columns": []})
        else:
            cols = [k for k in COLUMN_KEYS if a.get(k) != b.get(k)]
            if cols:
                changes.append({"change": "changed", "row": b, "before": a, "columns": cols})
    return changes


# --- history and checks ----------------------------------------------------------------------


def jumper_history(
    *, since=None, until=None, designation=None, actor=None, reference=None, action=None, extension=None
):
    """Return history entries, newest first, filtered by time, object, user, reference or action."""
    qs = PatchEvent.objects.select_related("actor")
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lte=until)
    if designation:
        value = d.normalise(designation)
        terminal = Terminal.objects.filter(designation=value).first() if value.count("/") == 2 else None
        if terminal is not None:
            # A whole terminal designation: the indexed foreign keys, not a text scan.
            qs = qs.filter(Q(terminal_a=terminal) | Q(terminal_b=terminal))
        else:
            qs = qs.filter(
                Q(a_designation__startswith=value)
                | Q(b_designation__startswith=value)
                | Q(extension_number=value)
            )
    if actor is not None:
        qs = qs.filter(actor_id=getattr(actor, "pk", actor))
    if reference:
        qs = qs.filter(reference=reference)
    if action:
        qs = qs.filter(action=action)
    if extension:
        qs = qs.filter(extension_number=str(extension))
    return qs.order_by("-at", "-pk")


def designation_history(obj, *, limit=50) -> list[PatchEvent]:
    """Return the newest history entries of one terminal or cable pair (jumpers, reservations, faults)."""
    qs = PatchEvent.objects.select_related("actor")
    if isinstance(obj, Terminal):
        qs = qs.filter(Q(terminal_a=obj) | Q(terminal_b=obj))
    else:
        qs = qs.filter(a_designation=obj.designation)
    return list(qs.order_by("-at", "-pk")[:limit])


def reservation_list(*, q="", frame=None):
    """Return the reserved terminals, by reference then designation; ``q`` matches either."""
    qs = Terminal.objects.exclude(reserved_reference="").select_related("reserved_by")
    value = d.normalise(q)
    if value:
        qs = qs.filter(Q(designation__startswith=value) | Q(reserved_reference__iexact=value))
    if frame:
        qs = qs.filter(frame__code=d.normalise(frame))
    return qs.order_by("reserved_reference", "designation")


def jumper_list(*, frame=None):
    qs = Jumper.objects.select_related("terminal_a", "terminal_b", "frame", "created_by")
    if frame:
        qs = qs.filter(frame__code=d.normalise(frame))
    return qs.order_by("pk")


def patch_checks(*, limit=200) -> dict:
    """Return the problems the checks page lists, each a (count, first ``limit`` items) pair."""
    # Each check reads only the rows at fault, through anti-joins and indexes.
    terminal = OuterRef("terminal_id")
    dangling = list(
        JumperEnd.objects.filter(
            ~Exists(CablePair.objects.filter(near_terminal=terminal)),
            ~Exists(CablePair.objects.filter(far_terminal=terminal)),
            ~Exists(PbxPort.objects.filter(terminal=terminal)),
        )
        .order_by("terminal__designation")
        .values_list("pk", flat=True)
    )
    dangling_first = (
        list(
            JumperEnd.objects.filter(pk__in=dangling[:limit])
            .select_related("terminal", "peer")
            .order_by("terminal__designation")
        )
        if dangling
        else []
    )
    # The extensions whose path may lack a link, found on keys alone (only those rows are then
    # read whole); the test that counts is the row's own ``complete``.
    blank = Terminal.objects.filter(designation="").values("pk")
    complete_end = JumperEnd.objects.filter(terminal_id=OuterRef("port__terminal_id")).filter(
        ~Q(peer__in=blank),
        Exists(CablePair.objects.filter(near_terminal_id=OuterRef("peer_id")).exclude(designation="")),
    )
    gaps = (
        Q(port__isnull=True)
        | Q(port__designation="")
        | Q(port__terminal__isnull=True)
        | Q(port__terminal__in=blank)
        | ~Exists(complete_end)
    )
    ordered = _extension_qs({"status": "extension"}, "number")
    suspects = list(ordered.filter(gaps).values_list("pk", flat=True))
    incomplete = []
    for start in range(0, len(suspects), CHUNK):
        chunk = ordered.filter(pk__in=suspects[start : start + CHUNK]).values(*EXT_VALUES, *PATH_VALUES)
        incomplete += [r for r in _joined_rows(list(chunk)) if not r["complete"]]
    shared = (
        Extension.objects.filter(outlet__isnull=False)
        .order_by()
        .values("outlet")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("outlet")
    )
    doubled = Outlet.objects.filter(pk__in=shared).annotate(n=Count("extensions")).order_by("designation")
    idle_ports = PbxPort.objects.filter(~Exists(Extension.objects.filter(port=OuterRef("pk")))).order_by(
        "designation"
    )
    used = (
        Q(near_terminal__jumper_end__isnull=False)
        | Q(far_terminal__jumper_end__isnull=False)
        | Q(outlet__extensions__isnull=False)
    )
    faulty_used = CablePair.objects.filter(faulty=True).filter(used).distinct().order_by("designation")
    return {
        "dangling": (len(dangling), dangling_first),
        "incomplete": (len(incomplete), incomplete[:limit]),
        "doubled": (doubled.count(), list(doubled[:limit].values("designation", "n"))),
        "idle_ports": (idle_ports.count(), list(idle_ports.values_list("designation", flat=True)[:limit])),
        "faulty_used": (faulty_used.count(), list(faulty_used.values_list("designation", flat=True)[:limit])),
    }


def subscribed_departments() -> list[Department]:
    """Return the departments that subscribe to added, removed and changed telephones."""
    return list(Department.objects.filter(pk__in=DepartmentSubscription.objects.values("department_id")))
