import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.patching import selectors, services
from apps.patching.models import CablePair, Terminal
from tests.factories import UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db
URL = reverse("patching:faulty")


def test_an_engineer_marks_a_pair_faulty_and_back_from_the_page(eng_client, plant):
    plant.add_phone(7)
    body = eng_client.get(URL, {"d": "r-01/07"}).content.decode()
    assert "R-01/07" in body
    assert "标记为故障" in body
    response = eng_client.post(URL, {"designation": "R-01/07", "reason": "线对断线"}, follow=True)
    body = response.content.decode()
    assert "R-01/07 已标记为故障" in body
    assert "线对断线" in body  # the history shows the reason
    assert CablePair.objects.get(designation="R-01/07").faulty
    # the distribution table and the checks page show it
    table = eng_client.get(reverse("patching:table")).content.decode()
    assert "table-danger" in table
    assert "故障" in table
    checks = eng_client.get(reverse("patching:checks")).content.decode()
    assert "R-01/07" in checks
    assert selectors.patch_checks()["faulty_used"][1] == ["R-01/07"]
    # and back to working
    body = eng_client.post(URL, {"designation": "R-01/07", "reason": "已修复"}, follow=True).content.decode()
    assert "R-01/07 已恢复正常" in body
    assert "已修复" in body
    assert "线对断线" in body
    assert not CablePair.objects.get(designation="R-01/07").faulty
    assert selectors.patch_checks()["faulty_used"][0] == 0


def test_a_faulty_terminal_shows_its_status_and_refuses_a_jumper(eng_client, plant):
    eng_client.post(URL, {"designation": "MDF-1/V01/05", "reason": "端子损坏"})
    terminal = Terminal.objects.get(designation="MDF-1/V01/05")
    assert terminal.faulty
    assert selectors.terminal_status(terminal) == Terminal.Status.FAULTY
    body = eng_client.get(URL, {"d": "MDF-1/V01/05"}).content.decode()
    assert "恢复正常" in body
    assert "端子损坏" in body
    with pytest.raises(services.PatchConflict):
        services.jumper_connect(
            terminal_a="MDF-1/H01/05", terminal_b="MDF-1/V01/05", actor=plant.actor, reason="装机"
        )


def test_the_reason_is_required_and_nothing_changes_without_it(eng_client, plant):
    body = eng_client.post(URL, {"designation": "R-01/03", "reason": ""}).content.decode()
    assert "该字段是必填项" in body
    assert not CablePair.objects.get(designation="R-01/03").faulty
    body = eng_client.post(URL, {"designation": "R-09/99", "reason": "x"}).content.decode()
    assert "没有端子或线对 R-09/99" in body


def test_only_engineers_may_mark(client, plant):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.post(URL, {"designation": "R-01/03", "reason": "x"}).status_code == 403
    assert not CablePair.objects.get(designation="R-01/03").faulty


def test_the_trace_links_terminals_and_pairs_to_the_fault_page(eng_client, plant):
    plant.add_phone(4)
    body = eng_client.get(reverse("patching:trace"), {"q": "8004"}).content.decode()
    assert URL + "?d=R-01/04" in body
    assert URL + "?d=MDF-1/V01/04" in body


def test_table_queries_stay_the_same_with_faulty_pairs(eng_client, plant):
    def add(k):
        for _ in range(k):
            plant.add_phone()
            services.pair_set_faulty(
                pair=f"R-01/{plant.count:02d}", faulty=True, actor=plant.actor, reason="x"
            )

    assert_same_queries(eng_client, reverse("patching:table"), add)


@pytest.fixture
def api(plant):
    client = APIClient()
    client.force_authenticate(plant.actor)
    return client


def test_the_api_marks_terminals_and_pairs(api, plant):
    url = "/api/patching/faulty/"
    response = api.post(
        url,
        {"designation": "R-01/02", "faulty": True, "reason": "断线"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"designation": "R-01/02", "faulty": True}
    response = api.post(url, {"designation": "MDF-1/V01/02", "faulty": True, "reason": "坏"}, format="json")
    assert response.status_code == 200
    assert Terminal.objects.get(designation="MDF-1/V01/02").faulty
    assert api.get("/api/patching/terminals/?q=MDF-1/V01/02").json()["results"][0]["status"] == "faulty"
    response = api.post(
        url, {"designation": "R-01/02", "faulty": False}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert CablePair.objects.get(designation="R-01/02").faulty
    response = api.post(url, {"designation": "X", "faulty": True, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "designation" in response.json()


def test_the_api_refuses_people_who_are_not_engineers(plant):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.REQUESTER]))
    response = client.post("/api/patching/faulty/", {"designation": "R-01/02", "faulty": True, "reason": "x"})
    assert response.status_code == 403
