"""Marking a terminal or a cable pair faulty, or working again, is a patch-table history entry."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.audit import audit_log_event
from apps.patching import selectors, services
from apps.patching.models import CablePair, PatchEvent, Terminal
from tests.utils import assert_same_queries

from .factories import engineer

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
FAULTY_URL = reverse("patching:faulty")


def _faults():
    return list(
        PatchEvent.objects.filter(action__in=["faulty", "working"])
        .order_by("at", "pk")
        .values_list(
            "action", "a_designation", "terminal_a__designation", "reason", "reference", "actor__name"
        )
    )


def test_marking_a_terminal_faulty_and_back_writes_who_what_and_why(plant):
    services.terminal_set_faulty(
        terminal="MDF-1/V01/05", faulty=True, actor=plant.actor, reason="端子烧蚀", reference="GZ-12"
    )
    services.terminal_set_faulty(terminal="MDF-1/V01/05", faulty=False, actor=plant.actor, reason="已更换")
    assert _faults() == [
        ("faulty", "MDF-1/V01/05", "MDF-1/V01/05", "端子烧蚀", "GZ-12", "王工"),
        ("working", "MDF-1/V01/05", "MDF-1/V01/05", "已更换", "", "王工"),
    ]
    assert PatchEvent.objects.get(action="faulty").data == {"kind": "terminal"}


def test_marking_a_pair_faulty_names_the_pair(plant):
    services.pair_set_faulty(pair="R-01/07", faulty=True, actor=plant.actor, reason="线对断线")
    assert _faults() == [("faulty", "R-01/07", None, "线对断线", "", "王工")]
    event = PatchEvent.objects.get(action="faulty")
    assert event.terminal_b is None
    assert event.data == {"kind": "pair"}
    assert event.get_action_display() == "标记为故障"


def test_marking_the_state_it_already_has_writes_nothing(plant):
    services.pair_set_faulty(pair="R-01/07", faulty=False, actor=plant.actor, reason="复查")
    services.terminal_set_faulty(terminal="MDF-1/V01/05", faulty=True, actor=plant.actor, reason="坏")
    services.terminal_set_faulty(terminal="MDF-1/V01/05", faulty=True, actor=plant.actor, reason="坏")
    assert [a for a, *_rest in _faults()] == ["faulty"]


def test_without_a_reason_neither_the_mark_nor_the_history_is_written(plant):
    with pytest.raises(services.ValidationError):
        services.terminal_set_faulty(terminal="MDF-1/V01/05", faulty=True, actor=plant.actor, reason=" ")
    assert not Terminal.objects.get(designation="MDF-1/V01/05").faulty
    assert _faults() == []


def test_the_history_page_shows_and_filters_fault_marks(eng_client, plant):
    plant.add_phone(3)
    services.pair_set_faulty(pair="R-01/03", faulty=True, actor=plant.actor, reason="线对断线")
    services.terminal_set_faulty(terminal="MDF-1/V01/09", faulty=True, actor=plant.actor, reason="端子松动")
    url = reverse("patching:history")
    body = eng_client.get(url).content.decode()
    assert "标记为故障" in body
    assert "线对断线" in body
    body = eng_client.get(url, {"action": "faulty"}).content.decode()
    assert "R-01/03" in body
    assert "MDF-1/V01/09" in body
    assert "装机" not in body  # the connections are filtered out
    body = eng_client.get(url, {"q": "r-01/03"}).content.decode()
    assert "线对断线" in body
    assert "端子松动" not in body
    # the action list offers the new actions
    assert '<option value="working">恢复正常</option>' in eng_client.get(url).content.decode()


def test_history_page_queries_do_not_grow_with_fault_marks(eng_client, plant):
    def add(k):
        for _ in range(k):
            plant.count += 1
            services.terminal_set_faulty(
                terminal=f"MDF-1/V01/{plant.count:02d}", faulty=True, actor=plant.actor, reason="坏"
            )

    assert_same_queries(eng_client, reverse("patching:history") + "?action=faulty", add)


def test_the_history_api_lists_and_filters_fault_marks(plant):
    api = APIClient()
    api.force_authenticate(plant.actor)
    plant.add_phone(1)
    services.terminal_set_faulty(
        terminal="MDF-1/V01/09", faulty=True, actor=plant.actor, reason="端子松动", reference="GZ-3"
    )
    services.terminal_set_faulty(terminal="MDF-1/V01/09", faulty=False, actor=plant.actor, reason="已紧固")
    rows = api.get("/api/patching/history/", {"action": "faulty"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    rows = rows.get("results", rows)
    assert len(rows) == 1
    assert rows[0]["a_designation"] == "MDF-1/V01/09"
    assert rows[0]["action_label"] == "标记为故障"
    assert (rows[0]["reason"], rows[0]["reference"], rows[0]["actor"]) == ("端子松动", "GZ-3", "eng")
    rows = api.get("/api/patching/history/", {"q": "MDF-1/V01/09"}).json()
    rows = rows.get("results", rows)
    assert [r["action"] for r in rows] == ["working", "faulty"]
    rows = api.get("/api/patching/history/", {"reference": "GZ-3"}).json()
    assert len(rows.get("results", rows)) == 1


def test_the_terminal_page_shows_its_whole_history(eng_client, plant):
    plant.add_phone(4)
    eng_client.post(
        FAULTY_URL, {"designation": "MDF-1/V01/04", "reason": "端子烧蚀", "reference": "GZ-8"}, follow=True
    )
    body = eng_client.get(FAULTY_URL, {"d": "MDF-1/V01/04"}).content.decode()
    assert "变更历史" in body
    assert "标记为故障" in body
    assert "端子烧蚀" in body
    assert "GZ-8" in body
    assert "跳接" in body  # the jumper it carries is in its history too
    assert PatchEvent.objects.get(action="faulty").reference == "GZ-8"
    # another terminal's page does not show it
    assert "端子烧蚀" not in eng_client.get(FAULTY_URL, {"d": "MDF-1/V01/05"}).content.decode()


def test_the_pair_page_shows_only_that_pairs_history(eng_client, plant):
    services.pair_set_faulty(pair="R-01/01", faulty=True, actor=plant.actor, reason="一号线对断")
    services.pair_set_faulty(pair="R-01/10", faulty=True, actor=plant.actor, reason="十号线对断")
    body = eng_client.get(FAULTY_URL, {"d": "R-01/01"}).content.decode()
    assert "一号线对断" in body
    assert "十号线对断" not in body


def test_the_point_in_time_table_ignores_fault_marks():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        from .factories import Plant

        plant = Plant(size=5)
        plant.add_phones(2)
    before = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
    table_before = list(selectors.distribution_table(at=before))
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI), tick=False):
        services.terminal_set_faulty(terminal="MDF-1/V01/01", faulty=True, actor=plant.actor, reason="坏")
        services.pair_set_faulty(pair="R-01/02", faulty=True, actor=plant.actor, reason="断")
        services.terminal_set_faulty(terminal="MDF-1/H01/05", faulty=True, actor=plant.actor, reason="坏")
    after = datetime.datetime(2026, 3, 3, 12, 0, tzinfo=SHANGHAI)
    assert list(selectors.distribution_table(at=after)) == table_before
    assert selectors.distribution_table_diff(before=before, after=after) == []
    assert selectors._jumpers_at(after) == selectors._jumpers_at(before)
    assert len(selectors._extensions_at(after)) == 2
    # and the table at a past moment matches the table now
    assert list(selectors.distribution_table(at=after)) == list(selectors.distribution_table())


def test_fault_marks_kept_only_in_the_audit_trail_are_copied_into_the_history_once(plant):
    """The migration that adds the actions brings earlier fault marks into the history."""
    migration = importlib.import_module("apps.patching.migrations.0003_patchevent_faulty_actions")
    terminal = Terminal.objects.get(designation="MDF-1/V01/03")
    pair = CablePair.objects.get(designation="R-01/04")
    other = engineer("li", "李工")
    # what the services wrote before this change: audit entries only
    audit_log_event(
        obj=terminal,
        actor=other,
        message="端子烧蚀",
        changes={"faulty": [None, "faulty"], "reason": [None, "端子烧蚀"]},
    )
    audit_log_event(
        obj=pair,
        actor=other,
        message="已修复",
        changes={"faulty": [None, "working"], "reason": [None, "已修复"]},
    )
    audit_log_event(obj=terminal, actor=other, message="其他事件")
    migration.copy_fault_marks(django_apps, None)
    migration.copy_fault_marks(django_apps, None)
    assert _faults() == [
        ("faulty", "MDF-1/V01/03", "MDF-1/V01/03", "端子烧蚀", "", "李工"),
        ("working", "R-01/04", None, "已修复", "", "李工"),
    ]
