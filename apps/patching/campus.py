"""Build a reproducible patch table with bulk inserts: the demo building and the "campus" dataset.

Each building has a main frame ``MDF-n`` (equipment blocks ``H01…`` wired to ``PBX-n``'s
ports, line blocks ``V01…``), and on each floor a floor frame ``IDF-<b><ff>`` with a riser
block ``V01`` (the far ends of riser cable ``R-<b><ff>``) and a horizontal block ``H01``
(horizontal cable ``H-<b><ff>`` to the floor's outlets). Each extension is jumpered on the
main frame (equipment → line) and on its floor frame (riser → horizontal). The history holds
each live jumper's connection, each extension's creation, and older connect/disconnect churn.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from . import designations as d
from .bulk import EVENT_FIELDS, insert_rows
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

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建林峰琳燕波宁斌宇浩凯颖"
COS = ["内线", "市话", "国内长途", "国际长途"]
BATCH = 5000


@dataclass
class Shape:
    buildings: int = 10
    floors: int = 20
    rooms_per_floor: int = 25
    outlets_per_room: int = 4
    extensions_per_floor: int = 75
    history: int = 500_000


def shape_for_scale(scale: float) -> Shape:
    """Scale 1.0 is DESIGN.md's campus: 10 buildings, 200 floors, 5,000 rooms, 20,000 outlets, 15,000 extensions."""
    floors_total = max(1, round(200 * scale))
    buildings = max(1, min(10, round(10 * scale)))
    return Shape(
        buildings=buildings,
        floors=max(1, floors_total // buildings),
        history=max(1000, round(500_000 * scale)),
    )


def _bulk(model, rows):
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)
    return created


@transaction.atomic
def build(
    *, shape: Shape, seed: int = 1, departments=(), actor=None, stdout=None, first_building: int = 0
) -> dict:
    """Insert the dataset; return counts. Departments are spread over the extensions."""
    rng = random.Random(seed)
    departments = list(departments)
    now = timezone.now().replace(microsecond=0)
    live_since = now - datetime.timedelta(days=90)
    history_from = now - datetime.timedelta(days=720)
    counts = dict.fromkeys(["terminals", "extensions", "jumpers", "outlets", "history"], 0)
    events: list[PatchEvent] = []
    spare_pool: list[tuple[int, str, int]] = []  # (terminal id, designation, frame id) for history churn

    for bi in range(first_building, first_building + shape.buildings):
        code = chr(ord("A") + bi) if bi < 26 else f"B{bi}"
        building = Building.objects.create(code=code, name=f"{code}栋")
        floors = _bulk(Floor, [Floor(building=building, number=f) for f in range(1, shape.floors + 1)])
        rooms = _bulk(
            Room,
            [
                Room(building=building, floor=fl, number=f"{fl.number}{r:02d}")
                for fl in floors
                for r in range(1, shape.rooms_per_floor + 1)
            ],
        )
        outlets = _bulk(
            Outlet,
            [
                Outlet(room=room, number=n, designation=d.outlet(code, room.number, n))
                for room in rooms
                for n in range(1, shape.outlets_per_room + 1)
            ],
        )
        counts["outlets"] += len(outlets)
        outlets_by_floor: dict[int, list[Outlet]] = {}
        room_floor = {room.pk: room.floor_id for room in rooms}
        for o in outlets:
            outlets_by_floor.setdefault(room_floor[o.room_id], []).append(o)

        n = bi + 1
        mdf = Frame.objects.create(code=f"MDF-{n}", kind=Frame.Kind.MAIN, building=building, floor=floors[0])
        pbx = Pbx.objects.create(code=f"PBX-{n}", name=f"{code}栋交换机")
        per_floor = shape.extensions_per_floor
        total = per_floor * shape.floors
        n_blocks = (total + 99) // 100 + 1  # one spare block per side
        blocks = _bulk(
            Block,
            [
                Block(frame=mdf, code=f"H{i:02d}", side=Block.Side.EQUIPMENT, size=100)
                for i in range(1, n_blocks + 1)
            ]
            + [
                Block(frame=mdf, code=f"V{i:02d}", side=Block.Side.LINE, size=100)
                for i in range(1, n_blocks + 1)
            ],
        )
        terms = []
        for block in blocks:
            terms += [
                Terminal(
                    block=block,
                    frame=mdf,
                    position=p,
                    side=block.side,
                    designation=d.terminal(mdf.code, block.code, p),
                )
                for p in range(1, 101)
            ]
        terms = _bulk(Terminal, terms)
        counts["terminals"] += len(terms)
        equip = [t for t in terms if t.side == Block.Side.EQUIPMENT]
        line = [t for t in terms if t.side == Block.Side.LINE]
        ports = _bulk(
            PbxPort,
            [
                PbxPort(
                    pbx=pbx,
                    shelf=1 + i // 500,
                    slot=1 + (i % 500) // 25,
                    port=1 + i % 25,
                    designation=d.port(pbx.code, 1 + i // 500, 1 + (i % 500) // 25, 1 + i % 25),
                    terminal=equip[i],
                )
                for i in range(total)
            ],
        )
        extensions = []
        jumper_pairs = []  # (frame, terminal a, terminal b)
        pairs = []
        for fi, fl in enumerate(floors):
            idf = Frame.objects.create(
                code=f"IDF-{code}{fl.number:02d}", kind=Frame.Kind.FLOOR, building=building, floor=fl
            )
            floor_outlets = outlets_by_floor[fl.pk]
            rb = Block.objects.create(frame=idf, code="V01", side=Block.Side.LINE, size=per_floor)
            hb = Block.objects.create(frame=idf, code="H01", side=Block.Side.LINE, size=len(floor_outlets))
            riser_terms = _bulk(
                Terminal,
                [
                    Terminal(
                        block=rb,
                        frame=idf,
                        position=p,
                        side=rb.side,
                        designation=d.terminal(idf.code, "V01", p),
                    )
                    for p in range(1, per_floor + 1)
                ],
            )
            horiz_terms = _bulk(
                Terminal,
                [
                    Terminal(
                        block=hb,
                        frame=idf,
                        position=p,
                        side=hb.side,
                        designation=d.terminal(idf.code, "H01", p),
                    )
                    for p in range(1, len(floor_outlets) + 1)
                ],
            )
            counts["terminals"] += len(riser_terms) + len(horiz_terms)
            riser = Cable.objects.create(
                code=f"R-{code}{fl.number:02d}", kind=Cable.Kind.RISER, pair_count=per_floor
            )
            horiz = Cable.objects.create(
                code=f"H-{code}{fl.number:02d}", kind=Cable.Kind.HORIZONTAL, pair_count=len(floor_outlets)
            )
            for k in range(per_floor):
                pairs.append(
                    CablePair(
                        cable=riser,
                        number=k + 1,
                        designation=d.pair(riser.code, k + 1),
                        near_terminal=line[fi * per_floor + k],
                        far_terminal=riser_terms[k],
                    )
                )
            for k, o in enumerate(floor_outlets):
                pairs.append(
                    CablePair(
                        cable=horiz,
                        number=k + 1,
                        designation=d.pair(horiz.code, k + 1),
                        near_terminal=horiz_terms[k],
                        outlet=o,
                    )
                )
            chosen = rng.sample(range(len(floor_outlets)), min(per_floor, len(floor_outlets)))
            for k in range(per_floor):
                idx = fi * per_floor + k
                outlet_index = chosen[k] if k < len(chosen) else None
                number = f"{n}{fl.number:02d}{k + 1:02d}"
                extensions.append(
                    Extension(
                        number=number,
                        user_name=rng.choice(SURNAMES)
                        + rng.choice(GIVEN)
                        + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                        department=rng.choice(departments) if departments else None,
                        class_of_service=rng.choice(COS),
                        port=ports[idx],
                        outlet=floor_outlets[outlet_index] if outlet_index is not None else None,
                    )
                )
                jumper_pairs.append((mdf, equip[idx], line[idx]))
                if outlet_index is not None:
                    jumper_pairs.append((idf, riser_terms[k], horiz_terms[outlet_index]))
            for t in horiz_terms:
                spare_pool.append((t.pk, t.designation, idf.pk))
        _bulk(CablePair, pairs)
        extensions = _bulk(Extension, extensions)
        counts["extensions"] += len(extensions)
        for ext in extensions:
            events.append(
                PatchEvent(
                    at=live_since - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 30)),
                    actor=actor,
                    action=PatchEvent.Action.EXTENSION_ADD,
                    extension_number=ext.number,
                    reason="初始配线表",
                    data={
                        "number": ext.number,
                        "user_name": ext.user_name,
                        "department_id": ext.department_id,
                        "class_of_service": ext.class_of_service,
                        "port_id": ext.port_id,
                        "outlet_id": ext.outlet_id,
                        "notes": "",
                    },
                )
            )
        jumpers = []
        for frame, a, b in jumper_pairs:
            a, b = (a, b) if a.pk < b.pk else (b, a)
            jumpers.append(
                Jumper(
                    frame=frame,
                    terminal_a=a,
                    terminal_b=b,
                    created_at=live_since + datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 60)),
                    created_by=actor,
                    reason="初始配线表",
                )
            )
        jumpers = _bulk(Jumper, jumpers)
        counts["jumpers"] += len(jumpers)
        _bulk(
            JumperEnd,
            [JumperEnd(jumper=j, terminal_id=j.terminal_a_id, peer_id=j.terminal_b_id) for j in jumpers]
            + [JumperEnd(jumper=j, terminal_id=j.terminal_b_id, peer_id=j.terminal_a_id) for j in jumpers],
        )
        designation_of = {t.pk: t.designation for t in terms}
        for _f, a, b in jumper_pairs:
            designation_of[a.pk] = a.designation
            designation_of[b.pk] = b.designation
        for j in jumpers:
            events.append(
                PatchEvent(
                    at=j.created_at,
                    actor=actor,
                    action=PatchEvent.Action.CONNECT,
                    jumper_key=j.pk,
                    terminal_a_id=j.terminal_a_id,
                    terminal_b_id=j.terminal_b_id,
                    a_designation=designation_of[j.terminal_a_id],
                    b_designation=designation_of[j.terminal_b_id],
                    reason="初始配线表",
                )
            )
        if len(events) > BATCH * 4:
            counts["history"] += len(_bulk(PatchEvent, events))
            events = []
        if stdout is not None:
            stdout.write(f"  {code}: {len(extensions)} extensions, {len(jumpers)} jumpers")

    # Older churn: jumpers connected and later removed, so the history reaches its size.
    already = counts["history"] + len(events)
    churn = max(0, shape.history - already) // 2
    key = 10**12
    span = (live_since - history_from).total_seconds()
    by_frame: dict[int, list[tuple[int, str]]] = {}
    for tid, des, fid in spare_pool:
        by_frame.setdefault(fid, []).append((tid, des))
    frames = [f for f in by_frame if len(by_frame[f]) >= 2]
    counts["history"] += len(_bulk(PatchEvent, events))
    actor_id = actor.pk if actor is not None else None
    rows = []
    for i in range(churn if frames else 0):
        fid = frames[i % len(frames)]
        (ta, da), (tb, db) = rng.sample(by_frame[fid], 2)
        start = history_from + datetime.timedelta(seconds=rng.random() * span)
        end = start + datetime.timedelta(hours=rng.randint(1, 240))
        key += 1
        for action, at in (
            (PatchEvent.Action.CONNECT, start),
            (PatchEvent.Action.DISCONNECT, min(end, live_since)),
        ):
            rows.append((at, actor_id, action, key, ta, tb, da, db, "", "临时跳线", "", {}))
        if len(rows) >= BATCH * 4:
            insert_rows(PatchEvent, EVENT_FIELDS, rows)
            counts["history"] += len(rows)
            rows = []
    insert_rows(PatchEvent, EVENT_FIELDS, rows)
    counts["history"] += len(rows)
    return counts
