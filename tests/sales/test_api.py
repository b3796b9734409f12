import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from apps.sales import services
from apps.sales.models import Absence

from .factories import make_rep, make_supervisor

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=TZ)

ENDPOINTS = [
    "/api/sales/calls/",
    "/api/sales/followups/",
    "/api/sales/customers/",
    "/api/sales/visits/",
    "/api/sales/leave/",
    "/api/sales/work-records/",
    "/api/sales/weekly-plans/",
    "/api/sales/trainings/",
]


@pytest.fixture
def team():
    with time_machine.travel(NOON, tick=False):
        supervisor = make_supervisor()
        liu = make_rep(username="liu", supervisor=supervisor)
        wang = make_rep(username="wang", supervisor=supervisor)
        for rep in (liu, wang):
            services.call_log(
                actor=rep,
                rep=rep,
                number="13800138000",
                started_at=NOON - datetime.timedelta(hours=1),
                talk_seconds=40,
                outcome="conversation",
            )
            services.follow_up_create(
                actor=rep,
                rep=rep,
                contact_person="张",
                company_name=f"{rep.username}公司",
                phone="13912345678" if rep is liu else "13912345679",
                content="A",
                category="intent",
            )
            services.absence_request(
                actor=rep,
                kind=Absence.Kind.VISIT,
                day=NOON.date(),
                hours=Decimal(2),
                purpose="拜访",
                customer="甲",
            )
            services.absence_request(
                actor=rep, kind=Absence.Kind.LEAVE, day=NOON.date(), hours=Decimal(1), purpose="事假"
            )
            services.work_record_submit(actor=rep, content=f"{rep.username} 的工作")
            services.weekly_plan_submit(actor=rep, content="计划")
        services.training_create(
            actor=supervisor,
            topic="产品",
            starts_at=NOON,
            ends_at=NOON + datetime.timedelta(hours=1),
            place="A",
            reps=[liu],
        )
        return supervisor, liu, wang


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_rep_reaches_only_their_own_records_and_the_supervisor_the_team(client, team, url):
    supervisor, liu, wang = team
    client.force_login(liu)
    rep_count = client.get(url).json()["count"]
    client.force_login(supervisor)
    team_count = client.get(url).json()["count"]
    assert rep_count >= 1
    if url != "/api/sales/trainings/":
        assert team_count == 2 * rep_count
    client.force_login(make_rep(username="stranger"))
    assert client.get(url).json()["count"] == 0 or url == "/api/sales/trainings/"


def test_anonymous_and_other_roles_are_refused(client, team):
    assert client.get("/api/sales/calls/").status_code in (401, 403)
    from apps.accounts.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="eng", roles=[Role.ENGINEER]))
    assert client.get("/api/sales/calls/").status_code == 403
    assert client.get("/api/sales/quota-days/?date=2026-03-02").status_code == 403


def test_closed_quota_day_reports_the_rules_it_kept(client, team):
    supervisor, liu, _wang = team
    services.quota_days_close(day=NOON.date())
    client.force_login(supervisor)
    data = client.get("/api/sales/quota-days/?rep=liu&date=2026-03-02").json()
    assert data["closed"] is True
    assert data["rules_applied"]["standard_calls"] == 120
    assert data["counted_customers"] == 1
    assert client.get("/api/sales/quota-days/?rep=liu&date=bad").status_code == 400


def test_a_visit_approved_after_the_day_closed_lowers_its_standard(team):
    supervisor, liu, _wang = team
    services.quota_days_close(day=NOON.date())
    visit = Absence.objects.get(rep=liu, kind=Absence.Kind.VISIT)
    services.absence_decide(actor=supervisor, absence=visit, approve=True)
    from apps.sales.models import DayResult

    result = DayResult.objects.get(rep=liu, date=NOON.date())
    assert result.is_closed
    assert result.required_calls == 90  # ceil(120 × 6 / 8)
