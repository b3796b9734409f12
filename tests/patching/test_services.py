import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import Notification
from apps.patching import designations as d
from apps.patching import selectors, services
from apps.patching.models import CablePair, Extension, Jumper, JumperEnd, PatchEvent, Terminal
from apps.patching.services import PatchConflict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_designations_parse_every_kind_and_reject_nonsense():
    assert d.parse("mdf-1/h03/17").text == "MDF-1/H03/17"
    assert d.parse("PBX-1/1-2-5").kind == d.PORT
    assert d.parse("PBX-1/1-2-5").text == "PBX-1/1-02-05"
    assert d.parse("R-07/12").kind == d.PAIR
    assert d.parse("A-1203-2").kind == d.OUTLET
    with pytest.raises(ValidationError):
        d.parse("MDF-1//17")
    with pytest.raises(ValidationError):
        d.parse("R-07/12", kind=d.TERMINAL)


def test_creating_a_block_creates_its_terminals(plant):
    assert Terminal.objects.filter(block=plant.h01).count() == 30
    assert Terminal.objects.get(designation="MDF-1/H01/07").position == 7


def test_connect_writes_a_jumper_and_a_history_entry(plant):
    jumper = services.jumper_connect(
        terminal_a="MDF-1/H01/03",
        terminal_b="MDF-1/V01/03",
        actor=plant.actor,
        reason="装机",
        reference="WO-1",
    )
    assert jumper.frame.code == "MDF-1"
    entry = PatchEvent.objects.get(action=PatchEvent.Action.CONNECT)
    assert (entry.a_designation, entry.b_designation, entry.reference) == (
        "MDF-1/H01/03",
        "MDF-1/V01/03",
        "WO-1",
    )
    assert entry.actor == plant.actor
    assert selectors.terminal_status(Terminal.objects.get(designation="MDF-1/H01/03")) == "in_use"


def test_a_busy_terminal_gives_a_chinese_sentence_naming_the_other_end_date_and_engineer(plant):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)):
        services.jumper_connect(
            terminal_a="MDF-1/H01/17", terminal_b="MDF-1/V01/02", actor=plant.actor, reason="装机"
        )
    with pytest.raises(PatchConflict) as exc:
        services.jumper_connect(
            terminal_a="MDF-1/H01/17", terminal_b="MDF-1/V01/05", actor=plant.actor, reason="装机"
        )
    assert exc.value.messages == ["MDF-1/H01/17 已与 MDF-1/V01/02 跳接（2026-03-01，王工）"]
    assert Jumper.objects.count() == 1


def test_jumper_rules_same_frame_different_terminals_reason(plant):
    with pytest.raises(PatchConflict, match="不在同一配线架"):
        services.jumper_connect(
            terminal_a="MDF-1/H01/01", terminal_b="IDF-A01/V01/01", actor=plant.actor, reason="x"
        )
    with pytest.raises(PatchConflict, match="两个不同的端子"):
        services.jumper_connect(
            terminal_a="MDF-1/H01/01", terminal_b="MDF-1/H01/01", actor=plant.actor, reason="x"
        )
    with pytest.raises(ValidationError, match="变更原因"):
        services.jumper_connect(
            terminal_a="MDF-1/H01/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason=" "
        )
    with pytest.raises(ValidationError, match="没有端子 MDF-1/H09/01"):
        services.jumper_connect(
            terminal_a="MDF-1/H09/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason="x"
        )
    assert not PatchEvent.objects.exists()


def test_the_database_keeps_one_jumper_per_terminal(plant):
    jumper = services.jumper_connect(
        terminal_a="MDF-1/H01/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason="x"
    )
    other = services.jumper_connect(
        terminal_a="MDF-1/H01/02", terminal_b="MDF-1/V01/02", actor=plant.actor, reason="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        JumperEnd.objects.create(
            jumper=other, terminal=jumper.terminal_a, peer=Terminal.objects.get(designation="MDF-1/V01/09")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Jumper.objects.create(
            frame=jumper.frame,
            terminal_a=jumper.terminal_a,
            terminal_b=jumper.terminal_a,
            created_at=timezone.now(),
        )


def test_the_database_keeps_extension_numbers_and_ports_and_pair_ends_unique(plant):
    plant.add_phone(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(number="8001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Extension.objects.create(number="9999", port=plant.ports[0])
    pair = CablePair.objects.get(designation="R-01/02")
    with pytest.raises(IntegrityError), transaction.atomic():
        CablePair.objects.filter(pk=pair.pk).update(
            near_terminal=Terminal.objects.get(designation="MDF-1/V01/01")
        )


def test_extension_rules_speak_chinese(plant):
    plant.add_phone(1, user_name="李四")
    with pytest.raises(PatchConflict, match="分机号 8001 已存在（李四）"):
        services.extension_assign(number="8001", actor=plant.actor)
    with pytest.raises(PatchConflict, match="交换机端口 PBX-1/1-02-01 已分配给分机 8001"):
        services.extension_assign(number="8002", port="PBX-1/1-02-01", actor=plant.actor)


def test_disconnect_and_move_are_recorded(plant):
    services.jumper_connect(
        terminal_a="MDF-1/H01/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason="x"
    )
    moved = services.jumper_move(
        terminal="MDF-1/V01/01", new_terminal="MDF-1/V01/04", actor=plant.actor, reason="移机"
    )
    assert {moved.terminal_a.designation, moved.terminal_b.designation} == {"MDF-1/H01/01", "MDF-1/V01/04"}
    services.jumper_disconnect(terminal="MDF-1/V01/04", actor=plant.actor, reason="拆机", reference="WO-9")
    assert not Jumper.objects.exists()
    actions = list(PatchEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["connect", "disconnect", "connect", "disconnect"]
    with pytest.raises(PatchConflict, match="没有跳线"):
        services.jumper_disconnect(terminal="MDF-1/V01/04", actor=plant.actor, reason="x")


def test_history_cannot_be_changed_or_deleted(plant):
    services.jumper_connect(
        terminal_a="MDF-1/H01/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason="x"
    )
    entry = PatchEvent.objects.get()
    entry.reason = "改了"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()


def test_a_plan_applies_all_or_nothing_and_names_the_failing_step(plant):
    services.jumper_connect(
        terminal_a="MDF-1/H01/09", terminal_b="MDF-1/V01/09", actor=plant.actor, reason="x"
    )
    steps = [
        {"action": "connect", "terminal_a": "MDF-1/H01/01", "terminal_b": "MDF-1/V01/01"},
        {"action": "connect", "terminal_a": "MDF-1/H01/02", "terminal_b": "MDF-1/V01/09"},
    ]
    with pytest.raises(PatchConflict, match="第 2 步：MDF-1/V01/09 已与 MDF-1/H01/09 跳接"):
        services.patch_plan_apply(steps=steps, actor=plant.actor, reference="WO-2")
    assert Jumper.objects.count() == 1
    steps[1] = {"action": "disconnect", "terminal": "MDF-1/V01/09"}
    services.patch_plan_apply(steps=steps, actor=plant.actor, reference="WO-2")
    assert list(Jumper.objects.values_list("terminal_a__designation", flat=True)) == ["MDF-1/H01/01"]
    assert PatchEvent.objects.filter(reference="WO-2").count() == 2


def test_reserved_terminals_wait_for_their_work_order(plant):
    services.terminal_reserve(terminals=["MDF-1/V01/05"], reference="WO-7", actor=plant.actor)
    assert selectors.terminal_status(Terminal.objects.get(designation="MDF-1/V01/05")) == "reserved"
    with pytest.raises(PatchConflict, match="已为 WO-7 预留"):
        services.jumper_connect(
            terminal_a="MDF-1/H01/05", terminal_b="MDF-1/V01/05", actor=plant.actor, reason="x"
        )
    services.jumper_connect(
        terminal_a="MDF-1/H01/05", terminal_b="MDF-1/V01/05", actor=plant.actor, reason="x", reference="WO-7"
    )
    assert Terminal.objects.get(designation="MDF-1/V01/05").reserved_reference == ""
    services.terminal_reserve(terminals=["MDF-1/V01/06"], reference="WO-8", actor=plant.actor)
    services.terminal_release(terminals=["MDF-1/V01/06"], reference="WO-8", actor=plant.actor)
    assert selectors.terminal_status(Terminal.objects.get(designation="MDF-1/V01/06")) == "free"


def test_trace_walks_both_ways_and_says_where_it_stops(plant):
    plant.add_phone(3)
    trace = selectors.extension_trace(text="8003")
    assert trace.complete
    assert not trace.stop
    assert [h.designation for h in trace.hops if h.kind != "jumper"] == [
        "8003",
        "PBX-1/1-02-03",
        "MDF-1/H01/03",
        "MDF-1/V01/03",
        "R-01/03",
        "IDF-A01/V01/03",
        "IDF-A01/H01/03",
        "H-A01/03",
        "A-1203-3",
        "A-1203",
    ]
    from_outlet = selectors.extension_trace(text="A-1203-3")
    assert [h.designation for h in from_outlet.hops] == [h.designation for h in trace.hops]
    middle = selectors.extension_trace(text="R-01/03")
    assert middle.complete
    services.jumper_disconnect(terminal="IDF-A01/V01/03", actor=plant.actor, reason="x")
    broken = selectors.extension_trace(text="8003")
    assert not broken.complete
    assert "IDF-A01/V01/03 没有跳线" in broken.stop
    rooms = selectors.extension_trace(text="A-1203")
    assert len(rooms) == 30


def test_point_in_time_table_and_diff_follow_the_history(plant):
    t0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False):
        plant.add_phone(1)
    with time_machine.travel(t0 + datetime.timedelta(days=1), tick=False):
        plant.add_phone(2)
    with time_machine.travel(t0 + datetime.timedelta(days=2), tick=False):
        services.jumper_move(
            terminal="MDF-1/V01/01", new_terminal="MDF-1/V01/05", actor=plant.actor, reason="移机"
        )
        services.extension_update(extension="8002", user_name="赵六", actor=plant.actor)
    with time_machine.travel(t0 + datetime.timedelta(days=3), tick=False):
        services.extension_remove(extension="8002", actor=plant.actor, reason="拆机")

    def table(at):
        return {
            r["extension"]: r for r in selectors.distribution_table(at=at, filters={"status": "extension"})
        }

    day1 = table(t0 + datetime.timedelta(hours=1))
    assert list(day1) == ["8001"]
    assert day1["8001"]["line_terminal"] == "MDF-1/V01/01"
    day2 = table(t0 + datetime.timedelta(days=1, hours=1))
    assert set(day2) == {"8001", "8002"}
    assert day2["8002"]["user"] == "张三"
    day3 = table(t0 + datetime.timedelta(days=2, hours=1))
    assert day3["8001"]["line_terminal"] == "MDF-1/V01/05"
    assert day3["8001"]["riser_pair"] == "R-01/05"
    assert day3["8002"]["user"] == "赵六"
    now = table(timezone.now())
    assert list(now) == ["8001"]
    assert now == {r["extension"]: r for r in selectors.distribution_table(filters={"status": "extension"})}

    diff = selectors.distribution_table_diff(
        before=t0 + datetime.timedelta(days=1, hours=1), after=t0 + datetime.timedelta(days=3, hours=1)
    )
    kinds = {(c["change"], c["row"]["extension"] or c["row"]["outlet"]) for c in diff}
    assert ("removed", "8002") in kinds
    changed = next(c for c in diff if c["change"] == "changed" and c["row"]["extension"] == "8001")
    assert "line_terminal" in changed["columns"]


def test_checks_find_the_problems(plant):
    plant.add_phone(1)
    services.block_create(frame="MDF-1", code="V09", side="line", size=10)
    services.jumper_connect(
        terminal_a="MDF-1/H01/20", terminal_b="MDF-1/V09/01", actor=plant.actor, reason="x"
    )
    services.extension_assign(number="8100", outlet="A-1203-1", actor=plant.actor)
    services.pair_set_faulty(pair="R-01/01", faulty=True, actor=plant.actor, reason="线对断线")
    checks = selectors.patch_checks()
    assert [e.terminal.designation for e in checks["dangling"][1]] == ["MDF-1/V09/01"]
    assert checks["doubled"][0] == 1
    assert checks["incomplete"][0] == 1  # 8100 has no port
    assert checks["idle_ports"][0] == 29
    assert checks["faulty_used"][1] == ["R-01/01"]


def test_subscribed_departments_hear_of_added_and_removed_phones(plant):
    member = UserFactory(department=plant.department)
    services.subscription_add(department=plant.department, actor=plant.actor)
    plant.add_phone(4)
    services.extension_remove(extension="8004", actor=plant.actor, reason="拆机")
    titles = list(Notification.objects.filter(recipient=member).values_list("title", flat=True))
    assert "新装电话：8004" in titles
    assert "拆除电话：8004" in titles


def test_the_database_keeps_jumpers_on_one_frame_and_ends_true_to_their_jumper(plant):
    jumper = services.jumper_connect(
        terminal_a="MDF-1/H01/01", terminal_b="MDF-1/V01/01", actor=plant.actor, reason="x"
    )
    other_frame = Terminal.objects.get(designation="IDF-A01/V01/01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Jumper.objects.filter(pk=jumper.pk).update(terminal_b=other_frame)
    with pytest.raises(IntegrityError), transaction.atomic():
        JumperEnd.objects.create(
            jumper=jumper,
            terminal=Terminal.objects.get(designation="MDF-1/H01/05"),
            peer=Terminal.objects.get(designation="MDF-1/V01/05"),
        )


def test_diff_shows_a_change_on_the_floor_frames_outlet_side(plant):
    t0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False):
        plant.add_phone(1)
    with time_machine.travel(t0 + datetime.timedelta(days=1), tick=False):
        services.jumper_move(
            terminal="IDF-A01/H01/01", new_terminal="IDF-A01/H01/07", actor=plant.actor, reason="换信息点"
        )
    diff = selectors.distribution_table_diff(
        before=t0 + datetime.timedelta(hours=1), after=t0 + datetime.timedelta(days=1, hours=1)
    )
    changed = next(c for c in diff if c["change"] == "changed" and c["row"]["extension"] == "8001")
    assert changed["columns"] == ["floor_outlet_terminal", "horizontal_pair"]
    assert changed["before"]["floor_outlet_terminal"] == "IDF-A01/H01/01"
    assert changed["row"]["floor_outlet_terminal"] == "IDF-A01/H01/07"
    assert changed["row"]["horizontal_pair"] == "H-A01/07"
