import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.reports.models import ReportRun
from tests.factories import UserFactory

from .factories import admin_user

pytestmark = pytest.mark.django_db


def test_the_api_queues_a_run_and_serves_its_file(django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(admin_user())
    kinds = api.get("/api/reports/kinds/").json()
    assert {"users", "audit"} <= {k["code"] for k in kinds}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/reports/runs/", {"kind": "audit", "parameters": {"period": "today"}}, format="json"
        )
    assert response.status_code == 202
    run = api.get(f"/api/reports/runs/{response.json()['id']}/").json()
    assert run["status"] == "succeeded"
    assert run["parameters_text"] == "期间: 今天"
    download = api.get(run["download_url"])
    assert download.status_code == 200
    assert api.get(f"/api/reports/runs/{run['id']}/download/").status_code == 200
    assert api.get("/api/reports/runs/").json()["count"] == 1


def test_the_api_refuses_bad_parameters_and_other_peoples_reports():
    api = APIClient()
    api.force_authenticate(admin_user())
    response = api.post(
        "/api/reports/runs/", {"kind": "audit", "parameters": {"period": "someday"}}, format="json"
    )
    assert response.status_code == 400
    assert "period" in response.json()
    assert api.post("/api/reports/runs/", {"kind": "nope"}, format="json").status_code == 400

    engineer = APIClient()
    engineer.force_authenticate(UserFactory(roles=[Role.ENGINEER]))
    assert engineer.post("/api/reports/runs/", {"kind": "users"}, format="json").status_code == 403
    assert not ReportRun.objects.exists()
    codes = {k["code"] for k in engineer.get("/api/reports/kinds/").json()}
    assert "function_changes" in codes
    assert "users" not in codes
