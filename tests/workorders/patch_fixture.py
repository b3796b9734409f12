"""A small patch table built through the patch table's own services.

MDF-1 with an equipment block H01 (PBX-1 ports 1-02-01…08 wired to it) and a line block
V01 whose pairs of cable H-1 reach outlets in A-1203 and B-0507/B-0508. Extension 8123
is on port 01, jumpered H01/01 ↔ V01/01, at outlet A-1203-1.
"""

from dataclasses import dataclass

E1, E2, E3 = "MDF-1/H01/01", "MDF-1/H01/02", "MDF-1/H01/03"
L_A1203, L_B0507, L_B0508, L_SPARE = "MDF-1/V01/01", "MDF-1/V01/02", "MDF-1/V01/03", "MDF-1/V01/04"


@dataclass
class PatchTable:
    actor: object


def build(actor) -> PatchTable:
    from apps.patching import services as p

    frame = p.frame_create(code="MDF-1", actor=actor)
    equipment = p.block_create(frame=frame, code="H01", side="equipment", size=10, actor=actor)
    line = p.block_create(frame=frame, code="V01", side="line", size=10, actor=actor)
    pbx = p.pbx_create(code="PBX-1", actor=actor)
    p.pbx_ports_create(pbx=pbx, shelf=1, slot=2, ports=8, block=equipment, actor=actor)
    outlets = [
        p.outlet_get_or_create(designation=name, actor=actor)
        for name in ("A-1203-1", "B-0507-1", "B-0508-1", "B-0509-1")
    ]
    cable = p.cable_create(code="H-1", pair_count=10, kind="horizontal", actor=actor)
    p.cable_pairs_wire(cable=cable, first_pair=1, last_pair=4, near_block=line, outlets=outlets, actor=actor)
    p.extension_assign(
        number="8123", user_name="张三", port="PBX-1/1-02-01", outlet="A-1203-1", actor=actor, reason="建表"
    )
    p.jumper_connect(terminal_a=E1, terminal_b=L_A1203, actor=actor, reason="建表")
    return PatchTable(actor=actor)


def peer(terminal: str) -> str:
    from apps.workorders import patch_table

    return patch_table.terminal_peer(terminal=terminal)


def extension(number: str):
    from apps.patching import selectors

    found = selectors.designation_resolve(number)
    return found if found is not None and found.__class__.__name__ == "Extension" else None
