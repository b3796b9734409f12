"""The distribution table in Excel: streamed export, and an import that checks every row first.

``table_export(target, *, filters=None, at=None)`` writes DESIGN.md's columns (Chinese headers),
then the floor frame's outlet side (``OUTLET_SIDE_COLUMNS``: floor outlet terminal, horizontal
pair), streamed row by row. ``table_import(source, *, actor, dry_run=False)`` reads the
same columns (Chinese or English headers; the outlet-side ones are optional), lists every bad row
with its number and reason, and changes nothing unless every row is good; then it imports in one
transaction, creating what is missing (buildings, floors, rooms, outlets, frames, blocks,
terminals, PBX ports, cable pairs, extensions) and recording the jumpers, with history entries
whose reason is the import.

The floor frame's jumper: with a floor outlet terminal column, a row with a floor terminal and a
floor outlet terminal is jumpered between the two (and a row without both is not). A file without
that column keeps the older reading: the floor terminal is jumpered to the horizontal terminal of
the row's outlet, when the database already knows that outlet's horizontal pair. The horizontal
pair runs from the floor outlet terminal (when given) to the row's outlet (when given); a row with
no floor terminal may name its riser pair again as the horizontal pair: cabled straight to the
outlet.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Department
from apps.core.excel import Column, StreamedWorkbook, open_uploaded_workbook, unneutralise

from . import designations as d
from .bulk import EVENT_FIELDS
from .bulk import insert_rows as _insert_rows
from .models import (
    Block,
    Building,
    Cable,
    CablePair,
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
from .selectors import EXCEL_COLUMNS, distribution_table

WIDTHS = {"user": 12, "department": 14, "outlet": 14, "port": 16, "notes": 24}
LABELS = {key: zh for key, zh, _en in EXCEL_COLUMNS}


def table_export(target, *, filters=None, at=None) -> int:
    """Write the distribution table to ``target`` (a path or binary file); return the row count."""
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Distribution table"), [Column(zh, WIDTHS.get(key, 18)) for key, zh, _en in EXCEL_COLUMNS]
    )
    keys = [key for key, _zh, _en in EXCEL_COLUMNS]
    count = 0
    # The sheet neutralises the text and leaves empty values out of the file.
    append = sheet.append
    for row in distribution_table(filters=filters, at=at):
        append([row[key] for key in keys])
        count += 1
    book.save(target)
    return count


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: dict = field(default_factory=dict)
    dry_run: bool = False
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


HEADERS = {}
for _key, _zh, _en in EXCEL_COLUMNS:
    HEADERS[_zh] = _key
    HEADERS[_en.lower()] = _key


def _cell(value) -> str:
    value = unneutralise(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


class _Plan:
    """What the import will create, built from the file and the database as it is now."""

    def __init__(self):
        self.terminals = {
            t: (pk, f, side)
            for t, pk, f, side in Terminal.objects.values_list("designation", "pk", "frame__code", "side")
        }
        self.new_terminals: dict[str, str] = {}  # designation -> side
        self.ports = dict(PbxPort.objects.values_list("designation", "terminal__designation"))
        self.new_ports: dict[str, str] = {}  # port -> equipment terminal
        self.pairs = {}  # designation -> (near terminal, far terminal, outlet)
        self.terminal_pair: dict[str, str] = {}  # terminal -> the pair it ends (either end)
        self.outlet_pair: dict[str, str] = {}  # outlet -> its pair
        for p, n, f, o in CablePair.objects.values_list(
            "designation", "near_terminal__designation", "far_terminal__designation", "outlet__designation"
        ):
            self.pairs[p] = (n or "", f or "", o or "")
            for end in (n, f):
                if end:
                    self.terminal_pair.setdefault(end, p)
            if o:
                self.outlet_pair[o] = p
        self.new_pairs: dict[str, tuple[str, str]] = {}
        self.outlets = set(Outlet.objects.values_list("designation", flat=True))
        self.new_outlets: dict[str, int | None] = {}
        self.used = dict(JumperEnd.objects.values_list("terminal__designation", "peer__designation"))
        self.extensions = dict(Extension.objects.values_list("number", "user_name"))
        self.port_ext = dict(
            Extension.objects.filter(port__isnull=False).values_list("port__designation", "number")
        )
        self.departments = {}
        for pk, name, code in Department.objects.values_list("pk", "name", "code"):
            self.departments[name] = pk
            self.departments[code] = pk
        self.rows: list[dict] = []
        self.parts: dict[str, dict] = {}  # each designation the file gives -> its parsed parts
        self.jumpers: list[tuple[str, str]] = []
        self.seen_ext: dict[str, int] = {}
        self.seen_terminal: dict[str, int] = {}
        self.seen_port: dict[str, int] = {}
        # The floor frame's outlet side, as the file gives it (row numbers for the messages).
        self.explicit_floor_jumpers = False  # the file has the floor outlet terminal column
        self.new_hpairs: dict[str, list] = {}  # horizontal pair -> [near terminal, outlet, row]
        self.hpair_of: dict[str, tuple[str, int]] = {}  # terminal or outlet -> (horizontal pair, row)
        self.floor_jumpers: dict[str, tuple[str, int]] = {}  # terminal -> (peer, row)
        self.seen_riser: dict[str, int] = {}
        self.seen_floor: dict[str, int] = {}  # floor terminals
        self.seen_floor_out: dict[str, int] = {}  # floor outlet terminals


SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + ord(ch.upper()) - 64
        else:
            break
    return n - 1


def _fast_rows(sheet):
    """Yield each row's values from the sheet's XML: the plain cells a distribution table holds.

    openpyxl's read-only reader builds rich-text objects for every inline string; this reads the
    same XML with iterparse and is several times faster on a 20,000-row table.
    """
    from xml.etree.ElementTree import iterparse

    shared = sheet._shared_strings
    c_tag, v_tag, is_tag, t_tag, row_tag = (SHEET_NS + x for x in ("c", "v", "is", "t", "row"))
    with sheet._get_source() as src:
        values: list = []
        for _event, el in iterparse(src, events=("end",)):
            if el.tag == c_tag:
                kind = el.get("t")
                index = _column_index(el.get("r", "")) if el.get("r") else len(values)
                if kind == "inlineStr":
                    node = el.find(is_tag)
                    value = "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else None
                else:
                    v = el.find(v_tag)
                    raw = v.text if v is not None else None
                    if raw is None:
                        value = None
                    elif kind == "s":
                        value = shared[int(raw)]
                    elif kind in ("str", "e"):
                        value = raw
                    elif kind == "b":
                        value = raw == "1"
                    else:
                        number = float(raw)
                        value = int(number) if number.is_integer() else number
                while len(values) < index:
                    values.append(None)
                values.append(value)
                el.clear()
            elif el.tag == row_tag:
                yield tuple(values)
                values = []
                el.clear()


def _read_rows(source):
    book = open_uploaded_workbook(source, max_bytes=settings.TELROOM_UPLOAD_MAX_BYTES)
    sheet = book.worksheets[0]
    if hasattr(sheet, "_get_source") and hasattr(sheet, "_shared_strings"):
        rows = _fast_rows(sheet)
    else:  # an openpyxl without these read-only internals: the ordinary reader
        rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    keys = [HEADERS.get(_cell(h), HEADERS.get(_cell(h).lower())) for h in header]
    return book, keys, rows


def _check_row(plan: _Plan, number: int, row: dict) -> list[str]:
    errors = []
    ext = row["extension"]
    if not ext and not row["outlet"]:
        return [_("missing required cell: extension or outlet")]
    parsed = {}
    for key, kind in (
        ("port", d.PORT),
        ("equipment_terminal", d.TERMINAL),
        ("line_terminal", d.TERMINAL),
        ("riser_pair", d.PAIR),
        ("floor_terminal", d.TERMINAL),
        ("outlet", d.OUTLET),
        ("floor_outlet_terminal", d.TERMINAL),
        ("horizontal_pair", d.PAIR),
    ):
        if row[key]:
            try:
                parsed[key] = d.parse(row[key], kind=kind)
                row[key] = parsed[key].text
                plan.parts[row[key]] = parsed[key].parts
            except Exception as exc:  # noqa: BLE001 - ValidationError with a sentence
                errors.append(
                    _("%(column)s: %(error)s") % {"column": LABELS[key], "error": " ".join(exc.messages)}
                )
    if errors:
        return errors
    if row["line_terminal"] and not row["equipment_terminal"]:
        errors.append(_("missing required cell: equipment terminal (a line terminal is given)"))
    if row["riser_pair"] and not row["line_terminal"]:
        errors.append(_("missing required cell: line terminal (a riser pair is given)"))
    if row["floor_terminal"] and not row["riser_pair"]:
        errors.append(_("missing required cell: riser pair (a floor terminal is given)"))
    if row["equipment_terminal"] and not row["port"]:
        errors.append(_("missing required cell: PBX port (an equipment terminal is given)"))
    if row["department"] and row["department"] not in plan.departments:
        errors.append(_("unknown department “%(name)s”") % {"name": row["department"]})
    if (
        row["outlet"]
        and row["building"]
        and parsed["outlet"].parts["building"] != d.normalise(row["building"])
    ):
        errors.append(
            _("outlet %(outlet)s is not in building %(building)s")
            % {"outlet": row["outlet"], "building": row["building"]}
        )
    if ext:
        if ext in plan.seen_ext:
            errors.append(
                _("extension %(number)s also appears in row %(row)s")
                % {"number": ext, "row": plan.seen_ext[ext]}
            )
        elif ext in plan.extensions:
            errors.append(
                _("extension %(number)s already exists (%(user)s)")
                % {"number": ext, "user": plan.extensions[ext] or "—"}
            )
        plan.seen_ext.setdefault(ext, number)
    port, eq, line = row["port"], row["equipment_terminal"], row["line_terminal"]
    if port:
        if port in plan.seen_port:
            errors.append(
                _("PBX port %(port)s also appears in row %(row)s")
                % {"port": port, "row": plan.seen_port[port]}
            )
        elif ext and port in plan.port_ext:
            errors.append(
                _("PBX port %(port)s already carries extension %(number)s")
                % {"port": port, "number": plan.port_ext[port]}
            )
        plan.seen_port.setdefault(port, number)
        wired = plan.ports.get(port) or plan.new_ports.get(port)
        if wired and eq and wired != eq:
            errors.append(
                _("PBX port %(port)s is wired to %(terminal)s, not %(given)s")
                % {"port": port, "terminal": wired, "given": eq}
            )
    for t in (eq, line):
        if not t:
            continue
        if t in plan.seen_terminal:
            errors.append(
                _("terminal %(terminal)s also appears in row %(row)s")
                % {"terminal": t, "row": plan.seen_terminal[t]}
            )
        elif t in plan.seen_floor_out:
            errors.append(
                _("terminal %(terminal)s also appears in row %(row)s")
                % {"terminal": t, "row": plan.seen_floor_out[t]}
            )
        plan.seen_terminal.setdefault(t, number)
    if eq and line:
        if parsed["equipment_terminal"].parts["frame"] != parsed["line_terminal"].parts["frame"]:
            errors.append(_("%(a)s and %(b)s are on different frames") % {"a": eq, "b": line})
        for t, other in ((eq, line), (line, eq)):
            if t in plan.used and plan.used[t] != other:
                errors.append(
                    _("terminal %(terminal)s is already jumpered to %(peer)s")
                    % {"terminal": t, "peer": plan.used[t]}
                )
        for t, side in ((eq, Block.Side.EQUIPMENT), (line, Block.Side.LINE)):
            known = plan.terminals.get(t)
            if known and known[2] != side:
                errors.append(
                    _("terminal %(terminal)s is not on the %(side)s")
                    % {"terminal": t, "side": Block.Side(side).label}
                )
    pair = row["riser_pair"]
    if pair:
        wired = plan.pairs.get(pair) or plan.new_pairs.get(pair)
        if wired and (
            (wired[0] and wired[0] != line)
            or (row["floor_terminal"] and wired[1] and wired[1] != row["floor_terminal"])
        ):
            errors.append(
                _("cable pair %(pair)s is wired to %(near)s – %(far)s")
                % {"pair": pair, "near": wired[0] or "—", "far": wired[1] or "—"}
            )
    return errors + _check_outlet_side(plan, number, row, parsed)


def _check_outlet_side(plan: _Plan, number: int, row: dict, parsed: dict) -> list[str]:
    """Check the floor frame's outlet side: its jumper and the horizontal pair to the outlet."""
    errors = []
    floor, out, hpair = row["floor_terminal"], row["floor_outlet_terminal"], row["horizontal_pair"]
    outlet, riser = row["outlet"], row["riser_pair"]
    also = _("terminal %(terminal)s also appears in row %(row)s")

    # A pair is a riser pair or a horizontal pair, not both.
    if riser and riser in plan.new_hpairs:
        errors.append(
            _("cable pair %(pair)s also appears in row %(row)s")
            % {"pair": riser, "row": plan.new_hpairs[riser][2]}
        )
    if hpair and hpair == riser and (floor or out):
        errors.append(
            _("cable pair %(pair)s is given as both the riser and the horizontal pair") % {"pair": hpair}
        )
    elif hpair and hpair in plan.seen_riser:
        errors.append(
            _("cable pair %(pair)s also appears in row %(row)s")
            % {"pair": hpair, "row": plan.seen_riser[hpair]}
        )

    if out:
        if out == floor:
            errors.append(
                _("terminal %(terminal)s is given as both the floor terminal and the floor outlet terminal")
                % {"terminal": out}
            )
        elif out in plan.seen_terminal:
            errors.append(also % {"terminal": out, "row": plan.seen_terminal[out]})
        elif out in plan.seen_floor:
            errors.append(also % {"terminal": out, "row": plan.seen_floor[out]})
        known = plan.terminals.get(out)
        if known and known[2] != Block.Side.LINE:
            errors.append(
                _("terminal %(terminal)s is not on the %(side)s")
                % {"terminal": out, "side": Block.Side.LINE.label}
            )
    if floor and floor in plan.seen_floor_out:
        errors.append(also % {"terminal": floor, "row": plan.seen_floor_out[floor]})

    # The floor frame's jumper: floor terminal ↔ floor outlet terminal.
    if floor and out and floor != out:
        if parsed["floor_terminal"].parts["frame"] != parsed["floor_outlet_terminal"].parts["frame"]:
            errors.append(_("%(a)s and %(b)s are on different frames") % {"a": floor, "b": out})
        for t, other in ((floor, out), (out, floor)):
            if t in plan.used and plan.used[t] != other:
                errors.append(
                    _("terminal %(terminal)s is already jumpered to %(peer)s")
                    % {"terminal": t, "peer": plan.used[t]}
                )
            seen = plan.floor_jumpers.get(t)
            if seen and seen[0] != other:
                errors.append(also % {"terminal": t, "row": seen[1]})

    # The horizontal pair: from the floor outlet terminal to the outlet.
    if hpair:
        near, far, to = plan.pairs.get(hpair, ("", "", ""))
        if far or (near and out and near != out) or (to and outlet and to != outlet):
            errors.append(
                _("cable pair %(pair)s is wired to %(near)s – %(far)s")
                % {"pair": hpair, "near": near or "—", "far": far or to or "—"}
            )
        seen = plan.new_hpairs.get(hpair)
        if seen and ((seen[0] and out and seen[0] != out) or (seen[1] and outlet and seen[1] != outlet)):
            errors.append(
                _("cable pair %(pair)s also appears in row %(row)s, wired to %(near)s – %(far)s")
                % {"pair": hpair, "row": seen[2], "near": seen[0] or "—", "far": seen[1] or "—"}
            )
        for end in (out, outlet):
            if not end:
                continue
            wired = plan.terminal_pair.get(end) if end == out else plan.outlet_pair.get(end)
            if wired and wired != hpair:
                errors.append(
                    _("%(end)s is already wired to cable pair %(pair)s") % {"end": end, "pair": wired}
                )
            seen = plan.hpair_of.get(end)
            if seen and seen[0] != hpair:
                errors.append(
                    _("%(end)s is wired to cable pair %(pair)s in row %(row)s")
                    % {"end": end, "pair": seen[0], "row": seen[1]}
                )
    return errors


def _remember_outlet_side(plan: _Plan, number: int, row: dict) -> None:
    """Note a good row's riser pair and outlet side, for the checks of the rows after it."""
    floor, out, hpair = row["floor_terminal"], row["floor_outlet_terminal"], row["horizontal_pair"]
    if row["riser_pair"]:
        plan.seen_riser.setdefault(row["riser_pair"], number)
    if floor:
        plan.seen_floor.setdefault(floor, number)
    if out:
        plan.seen_floor_out.setdefault(out, number)
    if floor and out:
        plan.floor_jumpers.setdefault(floor, (out, number))
        plan.floor_jumpers.setdefault(out, (floor, number))
    if hpair:
        entry = plan.new_hpairs.setdefault(hpair, ["", "", number])
        entry[0] = entry[0] or out
        entry[1] = entry[1] or row["outlet"]
        for end in (out, row["outlet"]):
            if end:
                plan.hpair_of.setdefault(end, (hpair, number))


def table_import(source, *, actor, dry_run=False, reason="") -> ImportResult:
    """Check every row; import all of them in one transaction, or none if any is bad (or on a dry run)."""
    result = ImportResult(dry_run=dry_run)
    book, keys, rows = _read_rows(source)
    missing = [zh for key, zh, _en in EXCEL_COLUMNS if key in ("extension", "outlet") and key not in keys]
    if missing:
        book.close()
        result.errors.append((1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return result
    plan = _Plan()
    plan.explicit_floor_jumpers = "floor_outlet_terminal" in keys
    for number, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        row = dict.fromkeys((k for k, _zh, _en in EXCEL_COLUMNS), "")
        for key, value in zip(keys, cells, strict=False):
            if key:
                row[key] = value
        row["extension"] = row["extension"].strip()
        result.rows += 1
        errors = _check_row(plan, number, row)
        for message in errors:
            result.errors.append((number, message))
        if not errors:
            row["_row"] = number
            plan.rows.append(row)
            if row["port"] and row["equipment_terminal"]:
                plan.new_ports.setdefault(row["port"], row["equipment_terminal"])
            if row["riser_pair"]:
                plan.new_pairs.setdefault(row["riser_pair"], (row["line_terminal"], row["floor_terminal"]))
            _remember_outlet_side(plan, number, row)
    book.close()
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            result.created = _apply(plan, actor=actor, reason=reason or _("Excel import"))
    except IntegrityError as exc:
        result.errors.append(
            (
                0,
                _("The table changed while importing; nothing was imported. Try again. (%(error)s)")
                % {"error": exc},
            )
        )
        return result
    result.applied = True
    if result.created.get("extensions"):
        _notify_import(result.created["extensions"], actor)
    return result


def _notify_import(count: int, actor) -> None:
    """Tell the subscribed departments, once, how many telephones the import added."""
    from django.utils.translation import gettext_lazy

    from apps.core.services import notification_send

    from .models import DepartmentSubscription

    departments = Department.objects.filter(
        pk__in=DepartmentSubscription.objects.values_list("department_id", flat=True)
    )
    if departments.exists():
        notification_send(
            title=gettext_lazy("Telephones added by Excel import: %(n)s"),
            body=gettext_lazy("%(actor)s imported the distribution table."),
            params={"n": count, "actor": actor.get_full_name() if actor else "—"},
            departments=departments,
            url="/patching/",
        )


def _apply(plan: _Plan, *, actor, reason) -> dict:
    now = timezone.now()
    created = dict.fromkeys(["extensions", "outlets", "terminals", "jumpers"], 0)
    frames = {f.code: f for f in Frame.objects.all()}
    blocks = {(b.frame.code, b.code): b for b in Block.objects.select_related("frame")}
    buildings = {b.code: b for b in Building.objects.all()}
    floors = {(f.building.code, f.number): f for f in Floor.objects.select_related("building")}
    rooms = {(r.building.code, r.number): r for r in Room.objects.select_related("building")}

    # Locations the file names but the database lacks, created level by level in bulk.
    wanted_rooms = {}
    for row in plan.rows:
        if row["outlet"]:
            parts = plan.parts[row["outlet"]]
            wanted_rooms.setdefault((parts["building"], parts["room"]), row["floor"])
    missing = {key: hint for key, hint in wanted_rooms.items() if key not in rooms}
    new_buildings = [
        Building(code=code, name=code) for code in sorted({b for b, _r in missing} - set(buildings))
    ]
    for b in Building.objects.bulk_create(new_buildings):
        buildings[b.code] = b

    def floor_number(number, hint):
        if hint not in ("", None):
            return int(float(hint))
        digits = "".join(ch for ch in number if ch.isdigit())
        return int(digits[:-2]) if len(digits) > 2 else 1

    new_floors = {}
    for (bcode, number), hint in missing.items():
        key = (bcode, floor_number(number, hint))
        if key not in floors and key not in new_floors:
            new_floors[key] = Floor(building=buildings[bcode], number=key[1])
    Floor.objects.bulk_create(list(new_floors.values()))
    floors.update(new_floors)
    new_rooms = {
        (bcode, number): Room(
            building=buildings[bcode], floor=floors[(bcode, floor_number(number, hint))], number=number
        )
        for (bcode, number), hint in missing.items()
    }
    Room.objects.bulk_create(list(new_rooms.values()), batch_size=2000)
    rooms.update(new_rooms)

    # Terminals (and their frames and blocks) that the file names but the database lacks.
    wanted: dict[str, str] = {}
    for row in plan.rows:
        for key, side in (
            ("equipment_terminal", Block.Side.EQUIPMENT),
            ("line_terminal", Block.Side.LINE),
            ("floor_terminal", Block.Side.LINE),
            ("floor_outlet_terminal", Block.Side.LINE),
        ):
            if row[key] and row[key] not in plan.terminals:
                wanted.setdefault(row[key], side)
    parsed_terms = {text: plan.parts[text] for text in wanted}
    floor_frames = {r["floor_terminal"].split("/")[0] for r in plan.rows if r["floor_terminal"]}
    main_frames = {
        r[key].split("/")[0] for r in plan.rows for key in ("equipment_terminal", "line_terminal") if r[key]
    }
    floor_frames |= {
        r["floor_outlet_terminal"].split("/")[0] for r in plan.rows if r["floor_outlet_terminal"]
    } - main_frames
    sizes: dict[tuple[str, str], int] = {}
    sides: dict[tuple[str, str], str] = {}
    for text, parts in parsed_terms.items():
        key = (parts["frame"], parts["block"])
        sizes[key] = max(sizes.get(key, 0), int(parts["position"]))
        sides.setdefault(key, wanted[text])
    for fcode in sorted({f for f, _b in sizes} - set(frames)):
        kind = Frame.Kind.FLOOR if fcode in floor_frames else Frame.Kind.MAIN
        frames[fcode] = Frame.objects.create(code=fcode, kind=kind)
    grown = []
    for key, size in sizes.items():
        block = blocks.get(key)
        if block is None:
            blocks[key] = Block(frame=frames[key[0]], code=key[1], side=sides[key], size=size)
        elif block.size < size:
            block.size = size
            grown.append(block)
    Block.objects.bulk_create([b for b in blocks.values() if b.pk is None])
    Block.objects.bulk_update(grown, ["size"])
    last = Terminal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new_terms = []
    for text, parts in parsed_terms.items():
        block = blocks[(parts["frame"], parts["block"])]
        new_terms.append((block.pk, block.frame_id, int(parts["position"]), block.side, text, False, ""))
    _insert_rows(
        Terminal,
        ["block", "frame", "position", "side", "designation", "faulty", "reserved_reference"],
        new_terms,
    )
    for pk, des, fcode, side in Terminal.objects.filter(pk__gt=last).values_list(
        "pk", "designation", "frame__code", "side"
    ):
        plan.terminals[des] = (pk, fcode, side)
    created["terminals"] = len(new_terms)
    term_id = {k: v[0] for k, v in plan.terminals.items()}

    # PBX ports and riser pairs.
    pbxs = {p.code: p for p in Pbx.objects.all()}
    port_objs = {
        p.designation: p
        for p in PbxPort.objects.filter(designation__in=[r["port"] for r in plan.rows if r["port"]])
    }
    new_ports = []
    for row in plan.rows:
        text = row["port"]
        if not text or text in port_objs:
            continue
        parts = plan.parts[text]
        if parts["pbx"] not in pbxs:
            pbxs[parts["pbx"]] = Pbx.objects.create(code=parts["pbx"])
        port = PbxPort(
            pbx=pbxs[parts["pbx"]],
            shelf=int(parts["shelf"]),
            slot=int(parts["slot"]),
            port=int(parts["port"]),
            designation=text,
            terminal_id=term_id.get(row["equipment_terminal"]),
        )
        port_objs[text] = port
        new_ports.append(port)
    PbxPort.objects.bulk_create(new_ports, batch_size=2000)
    to_wire = [p for p in port_objs.values() if p.terminal_id is None]
    for row in plan.rows:
        p = port_objs.get(row["port"])
        if p is not None and p.terminal_id is None and row["equipment_terminal"]:
            p.terminal_id = term_id[row["equipment_terminal"]]
    PbxPort.objects.bulk_update(to_wire, ["terminal"], batch_size=2000)

    # Outlets.
    outlet_objs = {
        o.designation: o
        for o in Outlet.objects.filter(designation__in=[r["outlet"] for r in plan.rows if r["outlet"]])
    }
    new_outlets = []
    for row in plan.rows:
        text = row["outlet"]
        if not text or text in outlet_objs:
            continue
        parts = plan.parts[text]
        o = Outlet(
            room=rooms[(parts["building"], parts["room"])],
            number=int(parts["number"]),
            designation=text,
        )
        outlet_objs[text] = o
        new_outlets.append(o)
    Outlet.objects.bulk_create(new_outlets, batch_size=2000)
    created["outlets"] = len(new_outlets)

    # Cable pairs: riser pairs (line terminal → floor terminal) and horizontal pairs (floor outlet
    # terminal → outlet), each filling in the ends a pair already in the table lacks.
    ends: dict[str, list] = {}  # designation -> [near, far, outlet] (terminal and outlet ids)
    risers = set()
    for row in plan.rows:
        text = row["riser_pair"]
        if text:
            risers.add(text)
            end = ends.setdefault(text, [None, None, None])
            end[0] = end[0] or term_id.get(row["line_terminal"])
            end[1] = end[1] or term_id.get(row["floor_terminal"])
    for text, (out, outlet, _row) in plan.new_hpairs.items():
        end = ends.setdefault(text, [None, None, None])
        end[0] = end[0] or (term_id[out] if out else None)
        end[2] = outlet_objs[outlet].pk if outlet else None
    changed_pairs = []
    for p in CablePair.objects.filter(designation__in=list(ends)):
        near, far, outlet = ends.pop(p.designation)
        if (
            (p.near_terminal_id is None and near)
            or (p.far_terminal_id is None and far)
            or (p.outlet_id is None and outlet)
        ):
            p.near_terminal_id = p.near_terminal_id or near
            p.far_terminal_id = p.far_terminal_id or far
            p.outlet_id = p.outlet_id or outlet
            changed_pairs.append(p)
    CablePair.objects.bulk_update(changed_pairs, ["near_terminal", "far_terminal", "outlet"], batch_size=2000)
    # What is left is new: its cables are created (or grown) to hold it, in one go.
    numbered = {text: plan.parts[text] for text in ends}
    tops: dict[str, int] = {}
    for parts in numbered.values():
        tops[parts["cable"]] = max(tops.get(parts["cable"], 0), int(parts["pair"]))
    riser_cables = {numbered[text]["cable"] for text in risers if text in numbered}
    cables = {c.code: c for c in Cable.objects.filter(code__in=list(tops))}
    grown = [c for code, c in cables.items() if c.pair_count < tops[code]]
    for c in grown:
        c.pair_count = tops[c.code]
    Cable.objects.bulk_update(grown, ["pair_count"])
    new_cables = [
        Cable(
            code=code,
            kind=Cable.Kind.RISER if code in riser_cables else Cable.Kind.HORIZONTAL,
            pair_count=top,
        )
        for code, top in sorted(tops.items())
        if code not in cables
    ]
    for c in Cable.objects.bulk_create(new_cables):
        cables[c.code] = c
    _insert_rows(
        CablePair,
        ["cable", "number", "designation", "near_terminal", "far_terminal", "outlet", "faulty"],
        [
            (cables[parts["cable"]].pk, int(parts["pair"]), text, *ends[text], False)
            for text, parts in numbered.items()
        ],
    )

    # Extensions, jumpers and their history.
    exts = []
    for row in plan.rows:
        if not row["extension"]:
            continue
        exts.append(
            Extension(
                number=row["extension"],
                user_name=row["user"],
                department_id=plan.departments.get(row["department"]) if row["department"] else None,
                port=port_objs.get(row["port"]) if row["port"] else None,
                outlet=outlet_objs.get(row["outlet"]) if row["outlet"] else None,
                notes=row["notes"][:200],
            )
        )
    Extension.objects.bulk_create(exts, batch_size=2000)
    created["extensions"] = len(exts)
    actor_id = actor.pk if actor is not None else None
    add = PatchEvent.Action.EXTENSION_ADD
    events = [
        (
            now,
            actor_id,
            add,
            None,
            None,
            None,
            "",
            "",
            e.number,
            reason[:200],
            "",
            {
                "number": e.number,
                "user_name": e.user_name,
                "department_id": e.department_id,
                "class_of_service": "",
                "port_id": e.port.pk if e.port else None,
                "outlet_id": e.outlet.pk if e.outlet else None,
                "notes": e.notes,
            },
        )
        for e in exts
    ]

    # Jumpers: equipment ↔ line on the main frame; on the floor frame, floor terminal ↔ floor outlet
    # terminal (or, for a file without that column, ↔ the outlet's horizontal terminal).
    outlet_near = (
        {}
        if plan.explicit_floor_jumpers
        else dict(
            CablePair.objects.filter(outlet__designation__in=list(outlet_objs)).values_list(
                "outlet__designation", "near_terminal_id"
            )
        )
    )
    frame_of = {pk: f for pk, f, _s in plan.terminals.values()}
    designation_of = {pk: des for des, (pk, _f, _s) in plan.terminals.items()}
    existing = set(JumperEnd.objects.values_list("terminal_id", flat=True))
    pairs = []
    for row in plan.rows:
        if row["equipment_terminal"] and row["line_terminal"]:
            pairs.append((term_id[row["equipment_terminal"]], term_id[row["line_terminal"]]))
        if plan.explicit_floor_jumpers:
            if row["floor_terminal"] and row["floor_outlet_terminal"]:
                pairs.append((term_id[row["floor_terminal"]], term_id[row["floor_outlet_terminal"]]))
        elif row["floor_terminal"] and row["outlet"]:
            h = outlet_near.get(row["outlet"])
            f = term_id[row["floor_terminal"]]
            if h and h != f and frame_of.get(h) == frame_of.get(f):
                pairs.append((f, h))
    jumpers = []  # (terminal a, terminal b), a < b
    for a, b in pairs:
        if a in existing or b in existing:
            continue  # already jumpered (to this peer: checked above)
        existing.update((a, b))
        jumpers.append((min(a, b), max(a, b)))
    last = Jumper.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert_rows(
        Jumper,
        ["frame", "terminal_a", "terminal_b", "created_at", "created_by", "reason", "reference"],
        [(frames[frame_of[a]].pk, a, b, now, actor_id, reason[:200], "") for a, b in jumpers],
    )
    # Their ids, by end A (a terminal is end A of one jumper at most).
    jumper_id = dict(Jumper.objects.filter(pk__gt=last).values_list("terminal_a_id", "pk"))
    _insert_rows(
        JumperEnd,
        ["jumper", "terminal", "peer"],
        [(jumper_id[a], a, b) for a, b in jumpers] + [(jumper_id[a], b, a) for a, b in jumpers],
    )
    created["jumpers"] = len(jumpers)
    connect = PatchEvent.Action.CONNECT
    events += [
        (
            now,
            actor_id,
            connect,
            jumper_id[a],
            a,
            b,
            designation_of[a],
            designation_of[b],
            "",
            reason[:200],
            "",
            {},
        )
        for a, b in jumpers
    ]
    _insert_rows(PatchEvent, EVENT_FIELDS, events)
    return created
