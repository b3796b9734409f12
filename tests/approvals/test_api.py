import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.approvals.models import AdjustmentRecord, FunctionChange
from tests.factories import UserFactory

from .factories import chief, engineer, make_request, request_values

pytestmark = pytest.mark.django_db
S = FunctionChange.Status
ROLES = [Role.REQUESTER, Role.ENGINEER, Role.CHIEF_ENGINEER, Role.ADMINISTRATOR]
BASE = "/api/approvals/requests/"


@pytest.fixture
def api():
    return APIClient()


def as_role(api, role):
    user = UserFactory(roles=[role])
    api.force_authenticate(user)
    return user


def payload(**overrides):
    data = request_values(**overrides)
    data["planned_start"] = data["planned_start"].isoformat()
    data["planned_end"] = data["planned_end"].isoformat()
    return data


# action: (state it needs, body, requester, engineer, chief engineer, administrator) on someone else's request
MATRIX = {
    "submit": (S.DRAFT, {}, 403, 403, 403, 403),
    "approve": (S.SUBMITTED, {"comment": "同意"}, 403, 403, 200, 403),
    "reject": (S.SUBMITTED, {"comment": "不行"}, 403, 403, 200, 403),
    "withdraw": (S.SUBMITTED, {}, 403, 403, 200, 403),
    "implement": (S.APPROVED, {"notes": "ok"}, 403, 200, 200, 403),
    "verify": (S.IMPLEMENTED, {}, 403, 403, 200, 403),
}


@pytest.mark.parametrize("action", MATRIX)
@pytest.mark.parametrize("role_index", range(4), ids=[r.value for r in ROLES])
def test_api_permission_matrix(api, action, role_index):
    needs, body, *expected = MATRIX[action]
    change = make_request(requester=engineer(), status=needs, approver=chief())
    as_role(api, ROLES[role_index])
    response = api.post(f"{BASE}{change.pk}/{action}/", body, format="json")
    assert response.status_code == expected[role_index], response.content
    change.refresh_from_db()
    assert (change.status != needs) == (response.status_code == 200)


@pytest.mark.parametrize(
    ("role_index", "list_status", "create_status"),
    [(0, 403, 403), (1, 200, 201), (2, 200, 201), (3, 200, 403)],
    ids=[r.value for r in ROLES],
)
def test_api_list_and_create_by_role(api, role_index, list_status, create_status):
    make_request(requester=engineer(), status=S.SUBMITTED)
    as_role(api, ROLES[role_index])
    assert api.get(BASE).status_code == list_status
    assert api.post(BASE, payload(), format="json").status_code == create_status
    assert api.get("/api/approvals/adjustments/").status_code == list_status


def test_api_full_flow_and_self_approval_refused(api):
    eng, boss = engineer(), chief()
    api.force_authenticate(eng)
    response = api.post(f"{BASE}?submit=true", payload(), format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "submitted"
    # The engineer cannot approve.
    assert api.post(f"{BASE}{pk}/approve/", {}, format="json").status_code == 403
    # Implementing before approval: refused with the reason.
    response = api.post(f"{BASE}{pk}/implement/", {}, format="json")
    assert response.status_code == 400
    assert "尚未经总工批准" in str(response.json())
    api.force_authenticate(boss)
    response = api.post(f"{BASE}{pk}/approve/", {"comment": "同意", "revision": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["decided_version"] == 1
    api.force_authenticate(eng)
    response = api.post(f"{BASE}{pk}/implement/", {"notes": "done"}, format="json")
    assert response.json()["status"] == "implemented"
    # Twice is refused.
    assert api.post(f"{BASE}{pk}/implement/", {}, format="json").status_code == 400
    records = api.get("/api/approvals/adjustments/").json()["results"]
    assert records[0]["request"] == pk
    detail = api.get(f"{BASE}{pk}/").json()
    assert [h["action"] for h in detail["history"]] == ["created", "submitted", "approved", "implemented"]
    # A chief engineer's own request.
    api.force_authenticate(boss)
    own = api.post(f"{BASE}?submit=1", payload(), format="json").json()["id"]
    response = api.post(f"{BASE}{own}/approve/", {}, format="json")
    assert response.status_code == 403
    assert "不能审批自己" in response.json()["detail"]


def test_api_edit_after_approval_resets_and_keeps_approved_content(api):
    eng = engineer()
    change = make_request(requester=eng, status=S.APPROVED)
    api.force_authenticate(eng)
    response = api.patch(f"{BASE}{change.pk}/", {"wanted_value": "仅内线"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["revision"] == 2
    assert data["approved_content"] is None
    history = api.get(f"{BASE}{change.pk}/").json()["history"]
    assert history[-1]["action"] == "resubmitted"
    assert history[-2]["action"] == "approved"
    assert history[-2]["version"] == 1


def test_api_bad_input_names_the_field(api):
    api.force_authenticate(engineer())
    response = api.post(BASE, payload(target_extensions="12a"), format="json")
    assert response.status_code == 400
    assert "target_extensions" in response.json()
    assert not FunctionChange.objects.exists()


def test_api_manual_adjustment_record(api):
    api.force_authenticate(engineer())
    response = api.post(
        "/api/approvals/adjustments/",
        {
            "kind": "other",
            "what": "调整音量",
            "target_scope": "extensions",
            "target_extensions": "8001",
            "before_value": "3",
            "after_value": "5",
            "reason": "听不到",
            "performed_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert AdjustmentRecord.objects.get().source == "manual"


def test_api_lists_do_not_grow_queries_with_rows(client):
    from tests.utils import assert_same_queries

    owner = engineer()
    client.force_login(chief())

    def add(n):
        boss = chief()
        for _ in range(n):
            make_request(requester=owner, status=S.IMPLEMENTED, approver=boss)

    assert_same_queries(client, BASE, add)
    assert_same_queries(client, "/api/approvals/adjustments/", add)


def test_openapi_schema_describes_the_transitions(client):
    client.force_login(chief())
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for action in ("submit", "approve", "reject", "withdraw", "implement", "verify"):
        assert f"/api/approvals/requests/{{id}}/{action}/" in body
    assert "/api/approvals/adjustments/" in body
