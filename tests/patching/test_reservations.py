"""Reserving free terminals and releasing reserved ones by hand: service, page and API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.patching import designations as d
from apps.patching import selectors, services
from apps.patching.models import PatchEvent, Terminal
from apps.patching.services import PatchConflict
from tests.factories import UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db
URL = reverse("patching:reservations")


def _reserved():
    return dict(
        Terminal.objects.exclude(reserved_reference="")
        .order_by("designation")
        .values_list("designation", "reserved_reference")
    )


def _events(action):
    return list(
        PatchEvent.objects.filter(action=action).order_by("pk").values_list("a_designation", "reference")
    )


# --- designations --------------------------------------------------------------------------


def test_ranges_and_lists_name_each_terminal_once_in_order():
    assert d.terminal_list("mdf-1/h03/1-3, MDF-1/H03/02，MDF-1/V05/9–10\nMDF-1/V05/12") == [
        "MDF-1/H03/01",
        "MDF-1/H03/02",
        "MDF-1/H03/03",
        "MDF-1/V05/09",
        "MDF-1/V05/10",
        "MDF-1/V05/12",
    ]
    assert d.terminals_text(["MDF-1/H03/01", "MDF-1/H03/02", "MDF-1/H03/03", "MDF-1/V05/12"]) == (
        "MDF-1/H03/01-03, MDF-1/V05/12"
    )


def test_a_backwards_or_huge_range_is_refused_in_words():
    with pytest.raises(ValidationError) as exc:
        d.terminal_list("MDF-1/H03/10-1, nonsense")
    messages = exc.value.messages
    assert any("MDF-1/H03/10-1" in m and "小号在前" in m for m in messages)
    assert any("NONSENSE" in m for m in messages)
    with pytest.raises(ValidationError, match="超过 500 个"):
        d.terminal_list("MDF-1/H03/1-501")


# --- services ------------------------------------------------------------------------------


def test_an_engineer_reserves_a_range_and_each_terminal_gets_its_history(plant):
    done = services.terminal_reserve(
        terminals=["MDF-1/V01/1-3"], reference="WO-9", actor=plant.actor, strict=True
    )
    assert [t.designation for t in done] == ["MDF-1/V01/01", "MDF-1/V01/02", "MDF-1/V01/03"]
    assert _reserved() == {"MDF-1/V01/01": "WO-9", "MDF-1/V01/02": "WO-9", "MDF-1/V01/03": "WO-9"}
    t = Terminal.objects.get(designation="MDF-1/V01/02")
    assert (t.reserved_by, t.reserved_at is not None) == (plant.actor, True)
    assert selectors.terminal_status(t) == Terminal.Status.RESERVED
    assert _events("reserve") == [
        ("MDF-1/V01/01", "WO-9"),
        ("MDF-1/V01/02", "WO-9"),
        ("MDF-1/V01/03", "WO-9"),
    ]


def test_reserving_names_every_terminal_that_is_not_free_and_changes_nothing(plant):
    plant.add_phone(2)  # MDF-1/V01/02 carries a jumper
    services.terminal_set_faulty(terminal="MDF-1/V01/03", faulty=True, actor=plant.actor, reason="坏")
    services.terminal_reserve(terminals=["MDF-1/V01/04"], reference="WO-1", actor=plant.actor)
    services.terminal_reserve(terminals=["MDF-1/V01/05"], reference="WO-9", actor=plant.actor)
    with pytest.raises(PatchConflict) as exc:
        services.terminal_reserve(terminals="MDF-1/V01/1-6", reference="WO-9", actor=plant.actor, strict=True)
    assert exc.value.messages[0].startswith("MDF-1/V01/02 已与 MDF-1/H01/02 跳接")
    assert exc.value.messages[1:] == [
        "MDF-1/V01/03 已标记为故障。",
        "MDF-1/V01/04 已为 WO-1 预留。",
        "MDF-1/V01/05 已为 WO-9 预留。",
    ]
    assert _reserved() == {"MDF-1/V01/04": "WO-1", "MDF-1/V01/05": "WO-9"}
    assert len(_events("reserve")) == 2


def test_a_work_order_may_reserve_its_own_terminals_again(plant):
    services.terminal_reserve(terminals=["MDF-1/V01/05"], reference="WO-9", actor=plant.actor)
    services.terminal_reserve(terminals=["MDF-1/V01/05", "MDF-1/V01/06"], reference="WO-9", actor=plant.actor)
    assert _reserved() == {"MDF-1/V01/05": "WO-9", "MDF-1/V01/06": "WO-9"}


def test_a_reservation_needs_a_reference_and_known_terminals(plant):
    with pytest.raises(ValidationError) as exc:
        services.terminal_reserve(terminals=["MDF-1/V01/01"], reference="  ", actor=plant.actor, strict=True)
    assert set(exc.value.message_dict) == {"reference"}
    with pytest.raises(ValidationError) as exc:
        services.terminal_reserve(
            terminals=["MDF-1/V01/01", "MDF-1/V09/01", "MDF-1/V01/98-99", "X"],
            reference="WO-1",
            actor=plant.actor,
            strict=True,
        )
    assert exc.value.message_dict == {
        "terminals": [
            "“X”不是端子（如 MDF-1/H03/17）。",
            "没有端子 MDF-1/V09/01。",
            "没有端子 MDF-1/V01/98。",
            "没有端子 MDF-1/V01/99。",
        ]
    }
    with pytest.raises(ValidationError, match="请至少指定一个端子"):
        services.terminal_reserve(terminals=[""], reference="WO-1", actor=plant.actor, strict=True)
    assert _reserved() == {}


def test_releasing_by_hand_names_every_terminal_that_is_not_reserved_and_changes_nothing(plant):
    services.terminal_reserve(terminals=["MDF-1/V01/1-2"], reference="WO-1", actor=plant.actor)
    services.terminal_reserve(terminals=["MDF-1/V01/03"], reference="WO-2", actor=plant.actor)
    with pytest.raises(PatchConflict) as exc:
        services.terminal_release(terminals=["MDF-1/V01/1-4"], reference="", actor=plant.actor, strict=True)
    assert exc.value.messages == ["MDF-1/V01/04 没有预留。"]
    with pytest.raises(PatchConflict) as exc:
        services.terminal_release(
            terminals=["MDF-1/V01/1-3"], reference="WO-1", actor=plant.actor, strict=True
        )
    assert exc.value.messages == ["MDF-1/V01/03 预留给的是 WO-2，不是 WO-1。"]
    assert len(_reserved()) == 3
    assert _events("release") == []
    # without a reference, whatever they are reserved for; each release names its own reference
    done = services.terminal_release(terminals="MDF-1/V01/2-3", reference="", actor=plant.actor, strict=True)
    assert [t.designation for t in done] == ["MDF-1/V01/02", "MDF-1/V01/03"]
    assert _reserved() == {"MDF-1/V01/01": "WO-1"}
    assert _events("release") == [("MDF-1/V01/02", "WO-1"), ("MDF-1/V01/03", "WO-2")]
    t = Terminal.objects.get(designation="MDF-1/V01/03")
    assert (t.reserved_at, t.reserved_by, selectors.terminal_status(t)) == (None, None, "free")


def test_a_work_orders_release_still_leaves_other_terminals_alone(plant):
    services.terminal_reserve(terminals=["MDF-1/V01/01"], reference="WO-1", actor=plant.actor)
    services.terminal_reserve(terminals=["MDF-1/V01/02"], reference="WO-2", actor=plant.actor)
    done = services.terminal_release(
        terminals=["MDF-1/V01/01", "MDF-1/V01/02", "MDF-1/V01/03"], reference="WO-1", actor=plant.actor
    )
    assert [t.designation for t in done] == ["MDF-1/V01/01"]
    assert _reserved() == {"MDF-1/V01/02": "WO-2"}


def test_reservations_leave_the_point_in_time_table_alone(plant):
    from django.utils import timezone

    plant.add_phones(2)
    before = timezone.now()
    services.terminal_reserve(terminals=["MDF-1/V01/5-9"], reference="WO-1", actor=plant.actor, strict=True)
    services.terminal_release(terminals=["MDF-1/V01/5-6"], reference="", actor=plant.actor, strict=True)
    assert selectors.distribution_table_diff(before=before, after=timezone.now()) == []


# --- the page ------------------------------------------------------------------------------


def test_an_engineer_reserves_and_releases_terminals_from_the_page(eng_client, plant):
    body = eng_client.get(URL).content.decode()
    assert "预留空闲端子" in body
    assert "没有预留的端子" in body
    response = eng_client.post(
        URL,
        {
            "action": "reserve",
            "reserve-terminals": "mdf-1/v01/1-3, MDF-1/V01/07",
            "reserve-reference": "WO-12",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "已为 WO-12 预留：MDF-1/V01/01-03, MDF-1/V01/07。" in body
    assert 'data-testid="reserved-MDF-1/V01/02"' in body
    assert _reserved() == {f"MDF-1/V01/0{n}": "WO-12" for n in (1, 2, 3, 7)}
    # release two of them by ticking them in the list
    response = eng_client.post(
        URL, {"action": "release", "selected": ["MDF-1/V01/01", "MDF-1/V01/02"]}, follow=True
    )
    assert "已释放预留：MDF-1/V01/01-02。" in response.content.decode()
    # and one by name, only if it is WO-12's
    response = eng_client.post(
        URL,
        {"action": "release", "release-terminals": "MDF-1/V01/07", "release-reference": "WO-12"},
        follow=True,
    )
    assert "已释放预留：MDF-1/V01/07。" in response.content.decode()
    assert _reserved() == {"MDF-1/V01/03": "WO-12"}


def test_the_page_names_the_terminals_that_are_not_free_and_changes_nothing(eng_client, plant):
    plant.add_phone(2)
    body = eng_client.post(
        URL, {"action": "reserve", "reserve-terminals": "MDF-1/V01/1-3", "reserve-reference": "WO-1"}
    ).content.decode()
    assert "MDF-1/V01/02 已与 MDF-1/H01/02 跳接" in body
    assert _reserved() == {}
    body = eng_client.post(
        URL, {"action": "reserve", "reserve-terminals": "MDF-1/V01/1-3", "reserve-reference": ""}
    ).content.decode()
    assert "该字段是必填项" in body
    body = eng_client.post(
        URL, {"action": "release", "release-terminals": "MDF-1/V01/01, MDF-1/V01/77"}
    ).content.decode()
    assert "没有端子 MDF-1/V01/77" in body
    body = eng_client.post(URL, {"action": "release", "release-terminals": "MDF-1/V01/01"}).content.decode()
    assert "MDF-1/V01/01 没有预留。" in body
    assert _events("reserve") == []
    assert _events("release") == []


def test_the_list_filters_by_terminal_reference_and_frame(eng_client, plant):
    services.terminal_reserve(terminals=["MDF-1/V01/01"], reference="WO-1", actor=plant.actor)
    services.terminal_reserve(terminals=["IDF-A01/H01/05"], reference="WO-2", actor=plant.actor)
    body = eng_client.get(URL, {"q": "wo-2"}).content.decode()
    assert "IDF-A01/H01/05" in body
    assert "MDF-1/V01/01" not in body
    body = eng_client.get(URL, {"frame": "mdf-1"}).content.decode()
    assert "MDF-1/V01/01" in body
    assert "IDF-A01/H01/05" not in body
    body = eng_client.get(URL, {"q": "IDF-A01/H01"}).content.decode()
    assert "IDF-A01/H01/05" in body
    assert "MDF-1/V01/01" not in body


def test_reservation_page_queries_do_not_grow_with_rows(eng_client, plant):
    def add(k):
        for _ in range(k):
            plant.count += 1
            services.terminal_reserve(
                terminals=[f"MDF-1/V01/{plant.count:02d}"], reference=f"WO-{plant.count}", actor=plant.actor
            )

    assert_same_queries(eng_client, URL, add)


def test_type_ahead_offers_free_terminals_to_reserve_and_reserved_ones_to_release(eng_client, plant):
    plant.add_phone(1)
    services.terminal_reserve(terminals=["MDF-1/V01/02"], reference="WO-1", actor=plant.actor)
    free = eng_client.get(reverse("patching:search", args=["free-terminals"]), {"q": "MDF-1/V01/0"}).json()
    names = [r["designation"] for r in free["results"]]
    assert "MDF-1/V01/01" not in names
    assert "MDF-1/V01/02" not in names
    assert "MDF-1/V01/03" in names
    held = eng_client.get(reverse("patching:search", args=["reserved-terminals"]), {"q": "MDF"}).json()
    assert [(r["designation"], r["status"]) for r in held["results"]] == [("MDF-1/V01/02", "reserved")]


def test_the_frame_and_terminal_pages_lead_engineers_to_it(eng_client, plant):
    frame = eng_client.get(reverse("patching:frame", args=["MDF-1"])).content.decode()
    assert URL + "?frame=MDF-1" in frame
    assert "预留或释放端子" in frame
    free = eng_client.get(reverse("patching:faulty"), {"d": "MDF-1/V01/04"}).content.decode()
    assert URL + "?reserve=MDF-1/V01/04" in free
    services.terminal_reserve(terminals=["MDF-1/V01/04"], reference="WO-3", actor=plant.actor)
    held = eng_client.get(reverse("patching:faulty"), {"d": "MDF-1/V01/04"}).content.decode()
    assert "已为 WO-3 预留" in held
    assert URL + "?release=MDF-1/V01/04" in held
    prefilled = eng_client.get(URL, {"release": "MDF-1/V01/04"}).content.decode()
    assert 'value="MDF-1/V01/04"' in prefilled


def test_only_people_who_may_change_the_patch_table_reserve(client, plant):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.get(URL).status_code == 403
    response = client.post(
        URL, {"action": "reserve", "reserve-terminals": "MDF-1/V01/01", "reserve-reference": "WO-1"}
    )
    assert response.status_code == 403
    assert _reserved() == {}
    frame = client.get(reverse("patching:frame", args=["MDF-1"]))
    assert URL not in frame.content.decode()


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(plant):
    client = APIClient()
    client.force_authenticate(plant.actor)
    return client


def test_the_api_reserves_and_releases(api, plant):
    response = api.post(
        "/api/patching/terminals/reserve/",
        {"terminals": ["MDF-1/V01/1-2", "MDF-1/V01/05"], "reference": "WO-4"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [
        (t["designation"], t["status"], t["reserved_reference"]) for t in response.json()["terminals"]
    ] == [
        ("MDF-1/V01/01", "reserved", "WO-4"),
        ("MDF-1/V01/02", "reserved", "WO-4"),
        ("MDF-1/V01/05", "reserved", "WO-4"),
    ]
    listed = api.get("/api/patching/terminals/", {"reserved": "1"}).json()
    assert [t["designation"] for t in listed["results"]] == ["MDF-1/V01/01", "MDF-1/V01/02", "MDF-1/V01/05"]
    response = api.post(
        "/api/patching/terminals/release/", {"terminals": "MDF-1/V01/01, MDF-1/V01/05"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [t["status"] for t in response.json()["terminals"]] == ["free", "free"]
    assert _reserved() == {"MDF-1/V01/02": "WO-4"}


def test_the_api_answers_409_naming_each_terminal_and_changes_nothing(api, plant):
    plant.add_phone(3)
    response = api.post(
        "/api/patching/terminals/reserve/",
        {"terminals": "MDF-1/V01/1-4", "reference": "WO-4"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    assert "MDF-1/V01/03 已与 MDF-1/H01/03 跳接" in response.json()["detail"]
    assert _reserved() == {}
    response = api.post(
        "/api/patching/terminals/release/",
        {"terminals": ["MDF-1/V01/01"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "MDF-1/V01/01 没有预留。"


def test_the_api_answers_400_naming_the_field(api, plant):
    url = "/api/patching/terminals/reserve/"
    response = api.post(url, {"terminals": ["MDF-1/V01/01"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reference"}
    response = api.post(url, {"terminals": ["MDF-1/V01/01"], "reference": "  "}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reference"}
    response = api.post(url, {"terminals": ["MDF-1/V01/77"], "reference": "WO-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"terminals"}
    response = api.post(url, {"terminals": {"a": 1}, "reference": "WO-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"terminals"}
    response = api.post("/api/patching/terminals/release/", {"terminals": "MDF-1/V01/9-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"terminals"}
    assert _reserved() == {}


def test_the_api_refuses_people_who_may_not_change_the_patch_table(plant):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.REQUESTER]))
    response = client.post(
        "/api/patching/terminals/reserve/",
        {"terminals": ["MDF-1/V01/01"], "reference": "WO-1"},
        format="json",
    )
    assert response.status_code == 403
    assert _reserved() == {}
