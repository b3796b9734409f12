import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.patching.models import Jumper, PatchEvent
from tests.factories import UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(plant):
    client = APIClient()
    client.force_authenticate(plant.actor)
    return client


def test_connect_by_designation_then_409_with_the_sentence(api, plant):
    response = api.post(
        "/api/patching/jumpers/",
        {"terminal_a": "MDF-1/H01/17", "terminal_b": "MDF-1/V01/02", "reason": "装机"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 201, response.content
    assert response.json()["terminal_a"] == "MDF-1/H01/17"
    response = api.post(
        "/api/patching/jumpers/",
        {"terminal_a": "MDF-1/H01/17", "terminal_b": "MDF-1/V01/05", "reason": "装机"},
        format="json",
    )
    assert response.status_code == 409
    assert "MDF-1/H01/17 已与 MDF-1/V01/02 跳接" in response.json()["detail"]


def test_ids_are_accepted_and_bad_input_names_the_field(api, plant):
    from apps.patching.models import Terminal

    a = Terminal.objects.get(designation="MDF-1/H01/01").pk
    b = Terminal.objects.get(designation="MDF-1/V01/01").pk
    assert (
        api.post(
            "/api/patching/jumpers/", {"terminal_a": a, "terminal_b": b, "reason": "x"}, format="json"
        ).status_code
        == 201
    )
    response = api.post(
        "/api/patching/jumpers/",
        {"terminal_a": "MDF-1/H01/02", "terminal_b": "nonsense", "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "terminal_b" in response.json()
    response = api.post(
        "/api/patching/jumpers/", {"terminal_a": "MDF-1/H01/02", "terminal_b": "MDF-1/V01/02"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_delete_disconnects_with_a_reason(api, plant):
    plant.add_phone(1)
    jumper = Jumper.objects.get(terminal_a__designation="MDF-1/H01/01")
    assert api.delete(f"/api/patching/jumpers/{jumper.pk}/").status_code == 400
    assert api.delete(f"/api/patching/jumpers/{jumper.pk}/?reason=拆机").status_code == 204
    assert PatchEvent.objects.filter(action="disconnect", reason="拆机").exists()


def test_trace_table_history_endpoints(api, plant):
    plant.add_phone(1)
    trace = api.get("/api/patching/extensions/8001/trace/").json()
    assert trace["complete"] is True
    assert trace["hops"][-2]["designation"] == "A-1203-1"
    table = api.get("/api/patching/table/", {"status": "extension"}).json()
    assert table["count"] == 1
    assert table["results"][0]["riser_pair"] == "R-01/01"
    assert api.get("/api/patching/table/", {"at": "2020-01-01", "status": "extension"}).json()["count"] == 0
    assert api.get("/api/patching/table/", {"floor": "x"}).status_code == 400
    history = api.get("/api/patching/history/", {"q": "MDF-1/H01/01"}).json()
    assert history["count"] == 1
    assert api.post("/api/patching/history/", {}).status_code in (403, 405)


def test_extension_create_conflict_is_409(api, plant):
    plant.add_phone(1)
    response = api.post("/api/patching/extensions/", {"number": "8001"}, format="json")
    assert response.status_code == 409
    response = api.post(
        "/api/patching/extensions/", {"number": "8101", "port": "PBX-1/1-02-05"}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "url",
    ["/api/patching/jumpers/", "/api/patching/history/", "/api/patching/table/", "/api/patching/extensions/"],
)
def test_api_lists_queries_do_not_grow(plant, url):
    client = APIClient()
    client.force_login(plant.actor)
    assert_same_queries(client, url, plant.add_phones)


def test_a_requester_gets_403(plant):
    client = APIClient()
    client.force_authenticate(UserFactory(roles=[Role.REQUESTER]))
    response = client.post(
        "/api/patching/jumpers/",
        {"terminal_a": "MDF-1/H01/01", "terminal_b": "MDF-1/V01/01", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert client.get("/api/patching/table/").status_code == 403
