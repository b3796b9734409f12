import pytest
from django.core.exceptions import ValidationError

from apps.patching import selectors, services
from apps.patching.models import (
    Block,
    Building,
    CablePair,
    Frame,
    Outlet,
    PatchEvent,
    Pbx,
    PbxPort,
    Room,
    Terminal,
)

pytestmark = pytest.mark.django_db


def test_renaming_a_frame_rewrites_its_terminals(plant):
    plant.add_phone(1)
    before = list(PatchEvent.objects.order_by("pk").values_list("a_designation", "b_designation"))
    frame = Frame.objects.get(code="MDF-1")
    services.frame_rename(frame, "mdf-2", actor=plant.actor, reason="按新规范重新编号")
    assert Frame.objects.filter(code="MDF-2").exists()
    assert not Terminal.objects.filter(designation__startswith="MDF-1/").exists()
    names = set(Terminal.objects.filter(frame=frame).values_list("designation", flat=True))
    assert {"MDF-2/H01/01", "MDF-2/V01/30", "MDF-2/V01/09"} <= names
    assert len(names) == 60
    # Entries written before keep the names of the time; the rename itself is recorded.
    assert (
        list(PatchEvent.objects.order_by("pk").values_list("a_designation", "b_designation"))[: len(before)]
        == before
    )
    event = PatchEvent.objects.order_by("-pk").first()
    assert (event.action, event.a_designation, event.b_designation) == ("rename", "MDF-1", "MDF-2")
    assert event.reason == "按新规范重新编号"
    assert event.actor == plant.actor
    trace = selectors.extension_trace(text="8001")
    assert "MDF-2/H01/01" in str(trace.as_dict())
    assert "MDF-1/" not in str(trace.as_dict())


@pytest.mark.parametrize(
    ("new", "error"),
    [
        ("IDF-A01", "配线架编码 IDF-A01 已被占用"),
        ("MDF 2", "配线架编码"),
        ("MDF/2", "配线架编码"),
        ("", "配线架编码"),
        ("X" * 31, "配线架编码"),
    ],
)
def test_a_taken_or_malformed_frame_code_is_refused_and_nothing_changes(plant, new, error):
    frame = Frame.objects.get(code="MDF-1")
    count = PatchEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        services.frame_rename(frame, new, actor=plant.actor, reason="改名")
    assert "code" in info.value.message_dict
    assert error in " ".join(info.value.messages)
    assert Frame.objects.filter(code="MDF-1").exists()
    assert Terminal.objects.filter(designation="MDF-1/H01/01").exists()
    assert PatchEvent.objects.count() == count


def test_a_rename_needs_a_reason(plant):
    with pytest.raises(ValidationError) as info:
        services.frame_rename(Frame.objects.get(code="MDF-1"), "MDF-2", actor=plant.actor, reason=" ")
    assert "reason" in info.value.message_dict


def test_renaming_a_block_a_pbx_a_cable_a_building_and_a_room(plant):
    block = Block.objects.get(frame__code="MDF-1", code="V01")
    services.block_rename(block, "V05", actor=plant.actor, reason="改名")
    assert Terminal.objects.get(block=block, position=7).designation == "MDF-1/V05/07"
    assert Terminal.objects.filter(designation="IDF-A01/V01/07").exists()
    with pytest.raises(services.PatchConflict):
        services.block_rename(block, "H01", actor=plant.actor, reason="改名")

    services.pbx_rename(Pbx.objects.get(code="PBX-1"), "PBX-9", actor=plant.actor, reason="改名")
    assert set(PbxPort.objects.values_list("designation", flat=True)) >= {"PBX-9/1-02-05", "PBX-9/1-02-30"}
    services.cable_rename(
        CablePair.objects.get(designation="R-01/03").cable, "R-07", actor=plant.actor, reason="改名"
    )
    assert CablePair.objects.filter(designation="R-07/03").exists()

    services.building_rename(Building.objects.get(code="A"), "B", actor=plant.actor, reason="改名")
    assert Outlet.objects.filter(designation="B-1203-2").exists()
    services.room_renumber(Room.objects.get(number="1203"), "1205", actor=plant.actor, reason="改名")
    assert Outlet.objects.filter(designation="B-1205-12").exists()
    assert not Outlet.objects.filter(designation__startswith="A-").exists()
    with pytest.raises(ValidationError) as info:
        services.building_rename(Building.objects.get(code="B"), "C-1", actor=plant.actor, reason="改名")
    assert "楼栋编码" in info.value.message_dict["code"][0]
    kinds = list(
        PatchEvent.objects.filter(action="rename")
        .order_by("pk")
        .values_list("data__kind", "a_designation", "b_designation")
    )
    assert kinds == [
        ("block", "MDF-1/V01", "MDF-1/V05"),
        ("pbx", "PBX-1", "PBX-9"),
        ("cable", "R-01", "R-07"),
        ("building", "A", "B"),
        ("room", "B-1203", "B-1205"),
    ]


def test_a_block_of_more_than_99_pairs_keeps_its_numbers(plant):
    block = services.block_create(frame="MDF-1", code="V09", side="line", size=120)
    services.frame_rename(block.frame, "MDF-3", actor=plant.actor, reason="改名")
    names = set(Terminal.objects.filter(block=block).values_list("designation", flat=True))
    assert {"MDF-3/V09/01", "MDF-3/V09/99", "MDF-3/V09/100", "MDF-3/V09/120"} <= names
