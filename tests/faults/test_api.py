import pytest
from rest_framework.test import APIClient

from apps.faults.models import AccessEntry, Fault, InspectionRound
from tests.faults.factories import answers, engineer, report, requester, room_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_anyone_reports_a_fault_and_reads_only_their_own(api):
    zhao = requester()
    other = report(item="8999")
    api.force_authenticate(zhao)
    response = api.post(
        "/api/faults/", {"item_kind": "extension", "item": "8123", "symptom": "无拨号音", "severity": "major"}
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert number.startswith("GZ-")
    listed = [f["number"] for f in api.get("/api/faults/").json()["results"]]
    assert listed == [number]
    assert api.get(f"/api/faults/{other.number}/").status_code == 403


def test_a_bad_report_names_the_field(api):
    api.force_authenticate(requester())
    response = api.post("/api/faults/", {"item_kind": "toaster", "item": "8123", "symptom": "x"})
    assert response.status_code == 400
    assert "item_kind" in response.json()


def test_engineer_works_a_fault_through_the_api(api):
    wang = engineer()
    fault = report()
    api.force_authenticate(wang)
    base = f"/api/faults/{fault.number}/"
    assert api.post(base + "acknowledge/").json()["status"] == "acknowledged"
    assert api.post(base + "take/").json()["status"] == "in_progress"
    action = api.post(base + "actions/", {"description": "重新跳线", "jumpers_changed": True})
    assert action.status_code == 201
    assert action.json()["patch_reference"] == fault.number
    assert api.post(base + "restore/", {"note": "正常"}).json()["status"] == "restored"
    refused = api.post(base + "close/", {})
    assert refused.status_code == 400
    assert "请选择故障原因" in str(refused.json())
    assert api.post(base + "close/", {"cause": "frame"}).json()["status"] == "closed"
    detail = api.get(base).json()
    assert [e["kind"] for e in detail["events"]][-1] == "closed"
    assert len(detail["actions"]) == 1


def test_requester_cannot_work_a_fault_through_the_api(api):
    zhao = requester()
    fault = report(actor=zhao)
    api.force_authenticate(zhao)
    assert api.post(f"/api/faults/{fault.number}/acknowledge/").status_code == 403
    assert api.post(f"/api/faults/{fault.number}/actions/", {"description": "x"}).status_code == 403
    assert Fault.objects.get(pk=fault.pk).status == "reported"


def test_inspection_round_through_the_api_opens_a_fault(api):
    template = room_checklist()
    api.force_authenticate(engineer())
    payload = {
        "template": template.pk,
        "answers": {str(k): v for k, v in answers(template, 湿度="85").items()},
    }
    response = api.post("/api/faults/inspections/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["abnormal_count"] == 1
    assert InspectionRound.objects.count() == 1
    assert Fault.objects.filter(channel="inspection").count() == 1
    assert api.get("/api/faults/inspections/").json()["count"] == 1


def test_access_log_api_refuses_unescorted_visitors_and_lists_who_is_in(api):
    wang = engineer()
    api.force_authenticate(wang)
    refused = api.post("/api/faults/access-log/", {"person_name": "张师傅", "purpose": "维修"})
    assert refused.status_code == 400
    assert "陪同" in str(refused.json()["escort"])
    made = api.post(
        "/api/faults/access-log/", {"person_name": "张师傅", "purpose": "维修", "escort": wang.pk}
    )
    assert made.status_code == 201
    assert [e["person_name"] for e in api.get("/api/faults/access-log/?in_room=1").json()["results"]] == [
        "张师傅"
    ]
    api.post(f"/api/faults/access-log/{made.json()['id']}/sign-out/")
    assert AccessEntry.objects.get().left_at is not None


def test_requester_may_not_read_the_access_log(api):
    api.force_authenticate(requester())
    assert api.get("/api/faults/access-log/").status_code == 403
    assert api.get("/api/faults/inspections/").status_code == 403


def test_api_schema_lists_the_fault_endpoints(api):
    api.force_authenticate(engineer())
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for path in (
        "/api/faults/",
        "/api/faults/inspections/",
        "/api/faults/access-log/",
        "/api/faults/{number}/actions/",
    ):
        assert path in schema
