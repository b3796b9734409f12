import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.patching import selectors, services
from apps.patching.models import (
    Block,
    Building,
    Cable,
    CablePair,
    Frame,
    Outlet,
    PatchEvent,
    Pbx,
    PbxPort,
    Room,
    Terminal,
)
from tests.factories import UserFactory

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


def test_the_table_and_the_history_page_show_the_new_name(eng_client, plant):
    plant.add_phone(1)
    services.frame_rename(Frame.objects.get(code="MDF-1"), "MDF-9", actor=plant.actor, reason="新规范")
    services.cable_rename(Cable.objects.get(code="H-A01"), "H-B01", actor=plant.actor, reason="新规范")
    body = eng_client.get(reverse("patching:table")).content.decode()
    assert "MDF-9/H01/01" in body
    assert "MDF-1/" not in body
    trace = eng_client.get(reverse("patching:trace"), {"q": "8001"}).content.decode()
    assert "MDF-9/V01/01" in trace
    assert "H-B01/01" in trace
    assert "MDF-9/H01/01" in eng_client.get(reverse("patching:table"), {"q": "MDF-9/H01/01"}).content.decode()
    history = eng_client.get(reverse("patching:history"), {"action": "rename"}).content.decode()
    assert "重命名" in history
    assert "MDF-1" in history
    assert "MDF-9" in history
    assert "新规范" in history
    # The connect entry written before the rename still names the terminals as they were.
    old = eng_client.get(reverse("patching:history"), {"action": "connect"}).content.decode()
    assert "MDF-1/H01/01" in old


def test_an_engineer_renames_a_frame_and_a_block_on_the_frame_page(eng_client, plant):
    page = eng_client.get(reverse("patching:frame", args=["MDF-1"])).content.decode()
    assert 'data-testid="rename-frame"' in page
    assert "更改模块编码" in page
    url = reverse("patching:frame_rename", args=["MDF-1"])
    response = eng_client.post(url, {"code": "mdf-2", "reason": "按新规范"})
    assert response.status_code == 302
    assert response.url == reverse("patching:frame", args=["MDF-2"])
    page = eng_client.get(response.url).content.decode()
    assert "配线架 MDF-1 已更名为 MDF-2" in page
    assert 'title="MDF-2/V01/09"' in page

    block = Block.objects.get(frame__code="MDF-2", code="V01")
    url = reverse("patching:frame_rename", args=["MDF-2"])
    response = eng_client.post(url, {"block": block.pk, "code": "V07", "reason": "按新规范"})
    assert response.status_code == 302
    assert Terminal.objects.filter(designation="MDF-2/V07/09").exists()


def test_the_frame_page_refuses_a_taken_code_a_bad_code_or_no_reason(eng_client, plant):
    url = reverse("patching:frame_rename", args=["MDF-1"])
    for data, message in [
        ({"code": "IDF-A01", "reason": "改名"}, "配线架编码 IDF-A01 已被占用"),
        ({"code": "MDF 2", "reason": "改名"}, "配线架编码“MDF 2”不可用"),
        ({"code": "MDF-2", "reason": ""}, "该字段是必填项"),
    ]:
        response = eng_client.post(url, data)
        assert response.status_code == 200
        body = response.content.decode()
        assert message in body, body
        assert 'data-testid="rename-frame" open' in body or 'rename-frame"' in body
    block = Block.objects.get(frame__code="MDF-1", code="V01")
    body = eng_client.post(url, {"block": block.pk, "code": "H01", "reason": "改名"}).content.decode()
    assert "配线架 MDF-1 上已有模块 H01" in body
    assert Terminal.objects.filter(designation="MDF-1/V01/01").exists()
    other = Block.objects.get(frame__code="IDF-A01", code="V01")
    for bad in ["x", "1; drop", str(other.pk)]:  # not a block of this frame
        assert eng_client.post(url, {"block": bad, "code": "V09", "reason": "改名"}).status_code == 404
    assert not PatchEvent.objects.filter(action="rename").exists()


def test_only_those_who_may_change_the_patch_table_can_rename(client, plant):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    url = reverse("patching:frame_rename", args=["MDF-1"])
    assert client.post(url, {"code": "MDF-2", "reason": "改名"}).status_code == 403
    assert Frame.objects.filter(code="MDF-1").exists()


def test_the_api_renames_a_frame_400_for_a_bad_code_409_for_a_taken_one(plant):
    api = APIClient()
    api.force_authenticate(plant.actor)
    frame = Frame.objects.get(code="MDF-1")
    url = f"/api/patching/frames/{frame.pk}/rename/"
    response = api.post(
        url, {"code": "MDF/2", "reason": "改名"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "配线架编码" in response.json()["code"][0]
    response = api.post(
        url, {"code": "IDF-A01", "reason": "改名"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 409
    assert "配线架编码 IDF-A01 已被占用" in response.json()["detail"]
    response = api.post(url, {"code": "MDF-2"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = api.post(url, {"code": "MDF-2", "reason": "改名"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "MDF-2"
    assert api.get("/api/patching/terminals/", {"q": "MDF-2/H01/01"}).json()["results"][0]["designation"] == (
        "MDF-2/H01/01"
    )
    block = Block.objects.get(frame=frame, code="H01")
    response = api.post(
        f"/api/patching/blocks/{block.pk}/rename/", {"code": "H02", "reason": "改名"}, format="json"
    )
    assert response.status_code == 200, response.content
    cable = Cable.objects.get(code="R-01")
    response = api.post(
        f"/api/patching/cables/{cable.pk}/rename/", {"code": "R-02", "reason": "改名"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert CablePair.objects.filter(designation="R-02/30").exists()


@pytest.fixture
def admin_client(client, plant):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    ("model", "lookup", "data"),
    [
        (Frame, {"code": "MDF-1"}, {"code": "MDF-X", "kind": "main"}),
        (Building, {"code": "A"}, {"code": "Z", "name": "A"}),
        (Pbx, {"code": "PBX-1"}, {"code": "PBX-X", "name": ""}),
        (Cable, {"code": "R-01"}, {"code": "R-X", "kind": "riser", "pair_count": 30}),
        (Block, {"frame__code": "MDF-1", "code": "V01"}, {"code": "V-X", "side": "line", "size": 30}),
    ],
)
def test_the_admin_cannot_change_a_code_under_designations(admin_client, model, lookup, data):
    obj = model.objects.get(**lookup)
    url = reverse(f"admin:patching_{model._meta.model_name}_change", args=[obj.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="code"' not in page
    admin_client.post(url, data)
    obj.refresh_from_db()
    assert obj.code == lookup["code"]


def test_the_admin_cannot_make_a_designation_stale(admin_client, plant):
    room = Room.objects.get(number="1203")
    url = reverse("admin:patching_room_change", args=[room.pk])
    assert 'name="number"' not in admin_client.get(url).content.decode()
    for model, obj in [
        (PbxPort, PbxPort.objects.get(designation="PBX-1/1-02-05")),
        (CablePair, CablePair.objects.get(designation="R-01/05")),
        (Outlet, Outlet.objects.get(designation="A-1203-5")),
    ]:
        url = reverse(f"admin:patching_{model._meta.model_name}_change", args=[obj.pk])
        page = admin_client.get(url).content.decode()
        assert 'name="designation"' not in page
        assert 'name="number"' not in page
        assert 'name="port"' not in page
        admin_client.post(url, {"designation": "X/1"})
        obj.refresh_from_db()
        assert obj.designation != "X/1"


def test_a_port_added_in_the_admin_gets_its_designation_from_its_parts(admin_client, plant):
    pbx = Pbx.objects.get(code="PBX-1")
    response = admin_client.post(
        reverse("admin:patching_pbxport_add"), {"pbx": pbx.pk, "shelf": 2, "slot": 3, "port": 4}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PbxPort.objects.filter(designation="PBX-1/2-03-04").exists()


def test_a_rename_is_not_a_difference_between_two_moments(plant):
    t0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False):
        plant.add_phones(2)
    with time_machine.travel(t0 + datetime.timedelta(days=1), tick=False):
        services.frame_rename(Frame.objects.get(code="MDF-1"), "MDF-9", actor=plant.actor, reason="改编号")
        services.frame_rename(
            Frame.objects.get(code="IDF-A01"), "IDF-A09", actor=plant.actor, reason="改编号"
        )
    then = {r["extension"]: r for r in selectors.distribution_table(at=t0 + datetime.timedelta(hours=1))}
    assert then["8001"]["line_terminal"] == "MDF-9/V01/01"
    assert then["8001"]["floor_outlet_terminal"] == "IDF-A09/H01/01"
    assert then["8002"] == {r["extension"]: r for r in selectors.distribution_table()}["8002"]
    diff = selectors.distribution_table_diff(
        before=t0 + datetime.timedelta(hours=1), after=t0 + datetime.timedelta(days=2)
    )
    assert diff == []


@pytest.mark.parametrize(
    ("create", "field_text"),
    [
        (lambda: services.frame_create(code="MDF 2"), "配线架编码"),
        (lambda: services.block_create(frame="MDF-1", code="H/9", side=Block.Side.LINE, size=10), "模块编码"),
        (lambda: services.pbx_create(code="PBX 2"), "交换机编码"),
        (lambda: services.cable_create(code="R/02", pair_count=10), "电缆编码"),
    ],
)
def test_a_new_frame_block_pbx_or_cable_follows_the_same_code_rules(plant, create, field_text):
    counts = (Frame.objects.count(), Block.objects.count(), Pbx.objects.count(), Cable.objects.count())
    with pytest.raises(ValidationError) as caught:
        create()
    assert field_text in str(caught.value.message_dict["code"])
    assert counts == (
        Frame.objects.count(),
        Block.objects.count(),
        Pbx.objects.count(),
        Cable.objects.count(),
    )


def test_a_pbx_code_is_taken_once(plant):
    with pytest.raises(services.PatchConflict, match="交换机 PBX-1 已存在"):
        services.pbx_create(code="pbx-1")


def test_the_admin_checks_and_normalises_a_new_code(admin_client):
    url = reverse("admin:patching_frame_add")
    page = admin_client.post(url, {"code": "MDF 7", "kind": Frame.Kind.MAIN})
    assert page.status_code == 200
    assert "配线架编码" in page.content.decode()
    assert not Frame.objects.filter(code__in=["MDF 7", "MDF7"]).exists()
    admin_client.post(url, {"code": "mdf-7", "kind": Frame.Kind.MAIN})
    assert Frame.objects.filter(code="MDF-7").exists()
