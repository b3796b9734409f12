import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.frontdesk.models import Call, Callback, Line, UseRequest
from apps.frontdesk.services import use_request_submit
from tests.factories import UserFactory

from .factories import floor_manager_user, front_desk_user, log_call, make_line, shift_leader_user

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_administrator_registers_lines_and_front_desk_reads_them():
    admin = UserFactory(username="api-admin", roles=[Role.ADMINISTRATOR])
    body = {
        "number": "0571-12345678",
        "name": "吧台电话",
        "greeting": "您好，小羔羊火锅店，我可以为您做什么？",
        "allowed_roles": ["front_desk", "shift_leader", "floor_manager"],
        "work_start": "10:00",
        "work_end": "22:00",
        "callback_minutes": 20,
    }
    response = _client(admin).post("/api/frontdesk/lines/", body, format="json")
    assert response.status_code == 201, response.content
    assert Line.objects.get().callback_minutes == 20
    duplicate = _client(admin).post("/api/frontdesk/lines/", body, format="json")
    assert duplicate.status_code == 400
    assert "该号码的线路已存在。" in duplicate.content.decode()
    desk = front_desk_user()
    assert (
        _client(desk).post("/api/frontdesk/lines/", {**body, "number": "x"}, format="json").status_code == 403
    )
    listing = _client(desk).get("/api/frontdesk/lines/").json()
    assert listing["results"][0]["greeting"] == body["greeting"]


def test_logging_a_call_with_a_callback_through_the_api_and_marking_it_done():
    desk = front_desk_user()
    line = make_line(callback_minutes=15)
    client = _client(desk)
    response = client.post(
        "/api/frontdesk/calls/",
        {
            "line": line.pk,
            "rings": 4,
            "caller_name": "王先生",
            "caller_number": "13700003333",
            "kind": "enquiry",
            "request": "问停车位",
            "confirmed": True,
            "outcome": "callback",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["answerer_allowed"] is True
    assert response.json()["callback"]["done_at"] is None
    callback = Callback.objects.get()
    listing = client.get("/api/frontdesk/callbacks/?state=due").json()
    assert [row["id"] for row in listing["results"]] == [callback.pk]
    done = client.post(f"/api/frontdesk/callbacks/{callback.pk}/done/", {"note": "已答复"}, format="json")
    assert done.status_code == 200
    assert done.json()["done_at"]
    again = client.post(f"/api/frontdesk/callbacks/{callback.pk}/done/", {}, format="json")
    assert again.status_code == 400
    assert "该回电已于" in again.content.decode()
    assert client.get("/api/frontdesk/callbacks/?state=done").json()["count"] == 1


def test_a_bad_call_is_refused_with_the_field_named():
    client = _client(front_desk_user())
    line = make_line()
    response = client.post(
        "/api/frontdesk/calls/",
        {"line": line.pk, "rings": 2, "kind": "enquiry", "request": "回电", "outcome": "callback"},
        format="json",
    )
    assert response.status_code == 400
    assert "caller_number" in response.json()
    assert not Call.objects.exists()


def test_call_log_is_closed_to_other_roles():
    log_call(actor=front_desk_user(), line=make_line())
    client = _client(UserFactory(roles=[Role.SALES_REP]))
    assert client.get("/api/frontdesk/calls/").status_code == 403
    assert client.get("/api/frontdesk/callbacks/").status_code == 403
    leader = _client(shift_leader_user())
    assert leader.get("/api/frontdesk/calls/").json()["count"] == 1


def test_use_requests_through_the_api():
    desk = front_desk_user()
    manager = floor_manager_user()
    created = _client(desk).post("/api/frontdesk/use-requests/", {"reason": "给家里打电话"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = _client(shift_leader_user()).post(
        f"/api/frontdesk/use-requests/{pk}/decide/", {"approve": True}, format="json"
    )
    assert refused.status_code == 403
    decided = _client(manager).post(
        f"/api/frontdesk/use-requests/{pk}/decide/", {"approve": True, "comment": "可以"}, format="json"
    )
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    use_request_submit(actor=front_desk_user(username="other", name="钱前台"), reason="别人的")
    assert _client(desk).get("/api/frontdesk/use-requests/").json()["count"] == 1
    assert _client(manager).get("/api/frontdesk/use-requests/").json()["count"] == 2
    assert UseRequest.objects.filter(status="approved").count() == 1


def test_schema_builds():
    client = _client(front_desk_user())
    assert client.get("/api/schema/").status_code == 200
