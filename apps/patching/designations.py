"""Parse and format designations (DESIGN.md): the names people type and read.

terminal ``<frame>/<block>/<position>`` (``MDF-1/H03/17``), PBX port ``<pbx>/<shelf>-<slot>-<port>``
(``PBX-1/1-02-05``), cable pair ``<cable>/<pair>`` (``R-07/12``), outlet ``<building>-<room>-<n>``
(``A-1203-2``). ``parse`` returns a ``Designation``; malformed text raises ``ValidationError``.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

TERMINAL_RE = re.compile(r"^(?P<frame>[^/\s]+)/(?P<block>[^/\s]+)/(?P<position>\d{1,4})$")
PORT_RE = re.compile(r"^(?P<pbx>[^/\s]+)/(?P<shelf>\d{1,3})-(?P<slot>\d{1,3})-(?P<port>\d{1,3})$")
PAIR_RE = re.compile(r"^(?P<cable>[^/\s]+)/(?P<pair>\d{1,4})$")
OUTLET_RE = re.compile(r"^(?P<building>[^-/\s]+)-(?P<room>[^/\s]+)-(?P<number>\d{1,3})$")

TERMINAL, PORT, PAIR, OUTLET = "terminal", "port", "pair", "outlet"


@dataclass(frozen=True)
class Designation:
    kind: str
    parts: dict
    text: str


def normalise(text) -> str:
    return str(text or "").strip().replace("／", "/").replace("－", "-").upper()


def parse(text, *, kind: str | None = None) -> Designation:
    """Return the parsed designation, or raise ValidationError saying what is wrong with it."""
    value = normalise(text)
    for name, pattern in ((TERMINAL, TERMINAL_RE), (PORT, PORT_RE), (PAIR, PAIR_RE), (OUTLET, OUTLET_RE)):
        if kind is not None and kind != name:
            continue
        match = pattern.match(value)
        if match:
            parts = match.groupdict()
            return Designation(name, parts, canonical(name, parts))
    labels = {
        TERMINAL: _("a terminal (e.g. MDF-1/H03/17)"),
        PORT: _("a PBX port (e.g. PBX-1/1-02-05)"),
        PAIR: _("a cable pair (e.g. R-07/12)"),
        OUTLET: _("an outlet (e.g. A-1203-2)"),
    }
    if kind is not None:
        raise ValidationError(
            _("“%(text)s” is not %(what)s."),
            params={"text": value or "∅", "what": labels[kind]},
            code="malformed",
        )
    raise ValidationError(
        _("“%(text)s” is not a designation."), params={"text": value or "∅"}, code="malformed"
    )


def canonical(kind: str, parts: dict) -> str:
    if kind == TERMINAL:
        return terminal(parts["frame"], parts["block"], int(parts["position"]))
    if kind == PORT:
        return port(parts["pbx"], int(parts["shelf"]), int(parts["slot"]), int(parts["port"]))
    if kind == PAIR:
        return pair(parts["cable"], int(parts["pair"]))
    return outlet(parts["building"], parts["room"], int(parts["number"]))


def terminal(frame: str, block: str, position: int) -> str:
    return f"{frame}/{block}/{position:02d}"


def port(pbx: str, shelf: int, slot: int, number: int) -> str:
    return f"{pbx}/{shelf}-{slot:02d}-{number:02d}"


def pair(cable: str, number: int) -> str:
    return f"{cable}/{number:02d}"


def outlet(building: str, room: str, number: int) -> str:
    return f"{building}-{room}-{number}"


TERMINAL_RANGE_RE = re.compile(
    r"^(?P<frame>[^/\s]+)/(?P<block>[^/\s]+)/(?P<first>\d{1,4})-(?P<last>\d{1,4})$"
)
LIST_SEPARATORS = re.compile(r"[\s,;，；、]+")


def terminal_range(text, *, limit: int = 500) -> list[str]:
    """Return the terminals a range such as ``MDF-1/H03/1-10`` names, in order.

    A single terminal names itself; malformed text, a backwards range or one longer than
    ``limit`` raises ValidationError.
    """
    value = normalise(text).replace("–", "-").replace("—", "-").replace("~", "-")
    match = TERMINAL_RANGE_RE.match(value)
    if match is None:
        return [parse(value, kind=TERMINAL).text]
    first, last = int(match["first"]), int(match["last"])
    if first < 1 or last < first:
        raise ValidationError(
            _("“%(text)s” is not a range of terminals: the first number comes first."),
            params={"text": value},
            code="malformed",
        )
    if last - first + 1 > limit:
        raise ValidationError(
            _("“%(text)s” names more than %(limit)s terminals."),
            params={"text": value, "limit": limit},
            code="too_many",
        )
    return [terminal(match["frame"], match["block"], n) for n in range(first, last + 1)]


def terminal_list(values, *, limit: int = 500) -> list[str]:
    """Return the terminals named by designations and ranges, each once, in the order given.

    ``values`` is text (separated by commas, spaces or new lines) or a list of such texts.
    Every malformed item is named in one ValidationError.
    """
    if isinstance(values, str):
        values = [values]
    items = [item for value in values for item in LIST_SEPARATORS.split(str(value or "")) if item]
    names: list[str] = []
    errors: list[ValidationError] = []
    for item in items:
        try:
            names.extend(terminal_range(item, limit=limit))
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
    unique = list(dict.fromkeys(names))
    if len(unique) > limit:
        raise ValidationError(
            _("Name at most %(limit)s terminals at a time."), params={"limit": limit}, code="too_many"
        )
    return unique


def terminals_text(names) -> str:
    """Return terminal designations written short: runs of one block as ranges (``MDF-1/V01/01-10``)."""
    runs: list[list] = []
    for name in names:
        match = TERMINAL_RE.match(name)
        if match is None:
            runs.append([name, None, None])
            continue
        prefix, n = f"{match['frame']}/{match['block']}/", int(match["position"])
        last = runs[-1] if runs else None
        if last and last[1] == prefix and last[2][1] == n - 1:
            last[2][1] = n
        else:
            runs.append([name, prefix, [n, n]])
    parts = []
    for name, prefix, span in runs:
        if prefix is None or span[0] == span[1]:
            parts.append(name)
        else:
            parts.append(f"{name}-{span[1]:02d}")
    return ", ".join(parts)


FRAME, BLOCK, PBX, CABLE, BUILDING, ROOM = "frame", "block", "pbx", "cable", "building", "room"

# Each code as it appears inside a designation, checked by building a sample designation with
# it and parsing that back: a code is good when the designation it makes reads as that code.
_CODE_SAMPLES = {
    FRAME: (TERMINAL, lambda c: terminal(c, "X", 1), "frame"),
    BLOCK: (TERMINAL, lambda c: terminal("X", c, 1), "block"),
    PBX: (PORT, lambda c: port(c, 1, 1, 1), "pbx"),
    CABLE: (PAIR, lambda c: pair(c, 1), "cable"),
    BUILDING: (OUTLET, lambda c: outlet(c, "1", 1), "building"),
    ROOM: (OUTLET, lambda c: outlet("X", c, 1), "room"),
}
CODE_LABELS = {
    FRAME: _("Frame code"),
    BLOCK: _("Block code"),
    PBX: _("PBX code"),
    CABLE: _("Cable code"),
    BUILDING: _("Building code"),
    ROOM: _("Room number"),
}
CODE_MAX_LENGTH = {FRAME: 30, BLOCK: 20, PBX: 30, CABLE: 30, BUILDING: 10, ROOM: 20}


def code(value, *, kind: str) -> str:
    """Return ``value`` as the code of a frame, block, PBX, cable, building or room, or raise ValidationError.

    The code must fit in its designations: not empty, no spaces or “/” (and for a building no “-”).
    """
    text = normalise(value)
    sample_kind, make, part = _CODE_SAMPLES[kind]
    match = None
    if text and len(text) <= CODE_MAX_LENGTH[kind]:
        match = {
            TERMINAL: TERMINAL_RE,
            PORT: PORT_RE,
            PAIR: PAIR_RE,
            OUTLET: OUTLET_RE,
        }[sample_kind].match(make(text))
    if match is None or match[part] != text:
        rules = (
            _("at most %(n)s characters, without spaces, “/” or “-”")
            if kind == BUILDING
            else _("at most %(n)s characters, without spaces or “/”")
        )
        raise ValidationError(
            _("%(what)s “%(code)s” cannot be used: use %(rules)s."),
            params={
                "what": CODE_LABELS[kind],
                "code": text or "∅",
                "rules": rules % {"n": CODE_MAX_LENGTH[kind]},
            },
            code="malformed",
        )
    return text
