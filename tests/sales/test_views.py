import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from apps.sales import services
from apps.sales.models import Absence, Call, DayResult, FollowUp
from tests.utils import assert_same_queries

from .factories import make_rep, make_supervisor

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
MONDAY = datetime.date(2026, 3, 2)
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=TZ)
counter = itertools.count()


@pytest.fixture(autouse=True)
def _monday_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def supervisor():
    return make_supervisor()


@pytest.fixture
def rep(supervisor):
    return make_rep(supervisor=supervisor, extension="8201")


def add_team_rows(supervisor):
    """Return add_rows(n): n more reps in the team, each with calls, follow-ups, a request and a closed day."""

    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            member = make_rep(username=f"member{i}", supervisor=supervisor)
            Call.objects.create(
                rep=member,
                date=MONDAY,
                started_at=NOON - datetime.timedelta(hours=1),
                number="13800138000",
                talk_seconds=40,
                outcome="conversation",
            )
            services.follow_up_create(
                actor=member,
                rep=member,
                contact_person="张",
                company_name="甲",
                phone="13912345678",
                content="A",
                category="intent",
            )
            services.absence_request(
                actor=member, kind=Absence.Kind.LEAVE, day=MONDAY, hours=Decimal(2), purpose="事假"
            )
            services.work_record_submit(actor=member, content="今日工作")
            services.quota_days_close(day=MONDAY - datetime.timedelta(days=1), reps=[member])

    return add_rows


@pytest.mark.parametrize(
    "url",
    [
        "/sales/board/",
        "/sales/board/rows/",
        "/sales/follow-ups/",
        "/sales/calls/",
        "/sales/approvals/",
        "/sales/absences/",
        "/sales/work-records/",
        "/sales/statement/?month=2026-03",
        "/api/sales/followups/",
        "/api/sales/calls/",
    ],
)
def test_supervisor_pages_keep_the_same_number_of_queries(client, supervisor, url):
    client.force_login(supervisor)
    assert_same_queries(client, url, add_team_rows(supervisor), first=2, more=5)


def test_rep_sees_progress_in_chinese_and_logs_a_call(client, rep):
    client.force_login(rep)
    page = client.get("/sales/").content.decode()
    assert "有效沟通电话" in page
    assert "0 / 120" in page
    response = client.post(
        "/sales/calls/new/", {"number": "13800138000", "outcome": "conversation", "talk_seconds": 45}
    )
    assert response.status_code == 302
    assert "1 / 120" in client.get("/sales/").content.decode()


def test_bad_call_input_is_explained_and_nothing_saved(client, rep):
    client.force_login(rep)
    response = client.post("/sales/calls/new/", {"number": "", "outcome": "conversation", "talk_seconds": -5})
    assert response.status_code == 200
    assert Call.objects.count() == 0
    assert "这个字段是必填项" in response.content.decode() or "required" in response.content.decode()


def test_incomplete_follow_up_says_it_will_not_count(client, rep):
    client.force_login(rep)
    response = client.post(
        "/sales/follow-ups/new/",
        {
            "contact_person": "张经理",
            "company_name": "",
            "phone": "13912345678",
            "content": "介绍",
            "category": "intent",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "不计入" in page
    assert "缺少公司名称" in page
    assert FollowUp.objects.count() == 1


def test_a_rep_cannot_see_another_reps_day_or_the_board_or_approve(client, rep, supervisor):
    other = make_rep(username="other", supervisor=supervisor)
    absence = services.absence_request(
        actor=other, kind=Absence.Kind.LEAVE, day=MONDAY, hours=Decimal(8), purpose="事假"
    )
    client.force_login(rep)
    assert client.get("/sales/?rep=other").status_code == 403
    assert client.get("/sales/board/").status_code == 403
    assert client.get("/sales/approvals/").status_code == 403
    assert client.post(f"/sales/absences/{absence.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.get("/sales/statement/?rep=other").status_code == 403
    assert client.get("/api/sales/quota-days/?rep=other&date=2026-03-02").status_code == 403
    absence.refresh_from_db()
    assert absence.status == Absence.Status.PENDING


def test_a_supervisor_cannot_see_another_team(client, supervisor):
    stranger = make_rep(username="stranger", supervisor=make_supervisor(username="wu"))
    client.force_login(supervisor)
    assert client.get("/sales/?rep=stranger").status_code == 403
    record = services.follow_up_create(
        actor=stranger,
        rep=stranger,
        contact_person="张",
        company_name="甲",
        phone="13912345678",
        content="A",
        category="intent",
    )
    assert client.get(f"/sales/follow-ups/{record.pk}/false/").status_code == 404


def test_supervisor_approves_a_visit_and_the_standard_drops(client, rep, supervisor):
    absence = services.absence_request(
        actor=rep, kind=Absence.Kind.VISIT, day=MONDAY, hours=Decimal(3), purpose="演示", customer="华东贸易"
    )
    client.force_login(supervisor)
    page = client.get("/sales/approvals/").content.decode()
    assert "华东贸易" in page
    assert "120 → 75" in page
    client.post(f"/sales/absences/{absence.pk}/decide/", {"decision": "approve", "note": "同意"})
    board = client.get("/sales/board/").content.decode()
    assert "0 / 75" in board


def test_supervisor_marks_false_and_reopens_a_day(client, rep, supervisor):
    record = services.follow_up_create(
        actor=rep,
        rep=rep,
        contact_person="张",
        company_name="甲",
        phone="13912345678",
        content="A",
        category="intent",
    )
    client.force_login(supervisor)
    response = client.post(f"/sales/follow-ups/{record.pk}/false/", {"note": "电话核实不存在"}, follow=True)
    assert "已标记为虚假" in response.content.decode()
    record.refresh_from_db()
    assert record.is_false
    services.quota_days_close(day=MONDAY)
    result = DayResult.objects.get(rep=rep)
    assert result.fine_false == Decimal("50.00")
    client.post(f"/sales/days/{result.pk}/reopen/", {"reason": "补录"})
    result.refresh_from_db()
    assert not result.is_closed
    page = client.get("/sales/?rep=liu&date=2026-03-02").content.decode()
    assert "重新打开：补录" in page


def test_statement_exports_excel_for_payroll(client, rep, supervisor):
    services.call_log(
        actor=rep, rep=rep, number="13800138000", started_at=NOON, talk_seconds=40, outcome="conversation"
    )
    services.quota_days_close(day=MONDAY - datetime.timedelta(days=1))
    client.force_login(supervisor)
    response = client.get("/sales/statement.xlsx?month=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(response.content))
    summary = book.worksheets[0]
    assert summary.cell(2, 2).value == "liu"
    # Sunday 1st: nothing required; Monday 2nd at noon: 119 calls and 25 customers short.
    assert Decimal(str(summary.cell(2, 9).value)) == Decimal("720")


def test_upload_page_lists_bad_rows(client, supervisor, rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(supervisor)
    upload = SimpleUploadedFile(
        "cdr.csv", "分机号,被叫号码,开始时间,通话时长(秒)\n9999,13800138000,2026-03-02 09:00:00,45\n".encode()
    )
    page = client.post("/sales/calls/import/", {"file": upload}).content.decode()
    assert "9999" in page
    assert Call.objects.count() == 0
    assert client.get("/sales/calls/import/").status_code == 200
    client.force_login(rep)
    assert client.get("/sales/calls/import/").status_code == 403


def test_api_quota_day_and_own_records(client, rep, supervisor):
    client.force_login(rep)
    response = client.post(
        "/api/sales/calls/",
        {
            "number": "13800138000",
            "started_at": "2026-03-02T10:00:00+08:00",
            "talk_seconds": 40,
            "outcome": "conversation",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = client.get("/api/sales/quota-days/?date=2026-03-02").json()
    assert data["effective_calls"] == 1
    assert data["required_calls"] == 120
    assert data["closed"] is False
    assert data["fine_total"] == "720.00"
    response = client.post(
        "/api/sales/followups/",
        {
            "contact_person": "张",
            "company_name": "",
            "phone": "13912345678",
            "content": "A",
            "category": "intent",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["counts"] is False
    other = make_rep(username="other2", supervisor=supervisor)
    Call.objects.create(
        rep=other,
        date=MONDAY,
        started_at=NOON,
        number="1",
        talk_seconds=1,
        outcome="busy",
    )
    assert client.get("/api/sales/calls/").json()["count"] == 1
    client.force_login(supervisor)
    assert client.get("/api/sales/calls/").json()["count"] == 2
    assert client.get("/api/sales/quota-days/?rep=liu&date=2026-03-02").json()["effective_calls"] == 1
    response = client.post(
        "/api/sales/visits/",
        {"date": "2026-03-02", "hours": "2", "purpose": "x", "customer": "甲"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_administrator_adds_rules_from_a_date_and_a_holiday(client, rep):
    from apps.accounts.models import Role
    from apps.sales.models import CalendarDay, RuleSet
    from tests.factories import UserFactory

    admin = UserFactory(username="admin1", roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    data = {
        "rules-effective_from": "2026-03-09",
        "rules-standard_calls": 100,
        "rules-standard_customers": 20,
        "rules-new_calls": 60,
        "rules-new_customers": 10,
        "rules-new_period_days": 15,
        "rules-min_talk_seconds": 30,
        "rules-fine_per_short": "5",
        "rules-fine_per_false": "50",
        "rules-work_hours": "8",
        "rules-end_of_work": "18:00",
        "rules-day_close": "23:59",
        "rules-note": "淡季",
    }
    client.post("/sales/rules/", data)
    assert RuleSet.objects.filter(effective_from=datetime.date(2026, 3, 9), standard_calls=100).exists()
    client.post("/sales/rules/", {**data, "rules-effective_from": "2026-03-01"})  # in the past
    assert not RuleSet.objects.filter(effective_from=datetime.date(2026, 3, 1)).exists()
    client.post("/sales/rules/", {"day-date": "2026-03-03", "day-name": "节假日"})
    assert CalendarDay.objects.get(date=datetime.date(2026, 3, 3)).is_working is False
    page = client.get("/sales/rules/").content.decode()
    assert "淡季" in page
    client.force_login(rep)
    assert client.post("/sales/rules/", data).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/sales/",
        "/sales/progress/",
        "/sales/calls/today/",
        "/sales/follow-ups/",
        "/sales/calls/",
        "/api/sales/followups/",
    ],
)
def test_rep_pages_keep_the_same_number_of_queries(client, rep, url):
    def add_rows(n):
        for _ in range(n):
            i = next(counter)
            services.call_log(
                actor=rep,
                rep=rep,
                number=f"1380013{i:04d}",
                started_at=NOON - datetime.timedelta(minutes=i + 1),
                talk_seconds=40,
                outcome="conversation",
            )
            services.follow_up_create(
                actor=rep,
                rep=rep,
                contact_person="张",
                company_name=f"公司{i}",
                phone=f"1391234{i:04d}",
                content="A",
                category="intent",
            )

    client.force_login(rep)
    assert_same_queries(client, url, add_rows, first=2, more=5)


def test_supervisor_sees_hand_logged_calls_no_call_record_confirms(client, rep, supervisor):
    services.call_log(
        actor=rep,
        rep=rep,
        number="13800138000",
        started_at=NOON - datetime.timedelta(hours=1),
        talk_seconds=40,
        outcome="conversation",
    )
    services.call_records_import(
        actor=None,
        file=__import__("io").BytesIO(
            "分机号,被叫号码,开始时间,通话时长(秒)\n8201,13900000000,2026-03-02 09:00:00,45\n".encode()
        ),
        file_name="cdr.csv",
    )
    client.force_login(supervisor)
    page = client.get("/sales/calls/?unverified=1").content.decode()
    assert "13800138000" in page
    assert "13900000000" not in page
    assert "未确认" in page


def test_work_records_missing_after_the_end_of_work_are_flagged(client, rep, supervisor):
    late = make_rep(username="late", supervisor=supervisor)
    client.force_login(rep)
    client.post("/sales/work-records/", {"content": "今天打了120个电话"})
    with time_machine.travel(datetime.datetime(2026, 3, 2, 19, 0, tzinfo=TZ), tick=False):
        client.force_login(late)
        client.post("/sales/work-records/", {"content": "补交"})
        client.force_login(make_rep(username="absent", supervisor=supervisor))
        client.force_login(supervisor)
        page = client.get("/sales/work-records/?date=2026-03-02").content.decode()
    assert "按时" in page
    assert "迟交" in page
    assert "未交" in page


def test_a_follow_up_with_a_bad_number_says_what_is_wrong_with_it(client, rep):
    client.force_login(rep)
    response = client.post(
        "/sales/follow-ups/new/",
        {
            "contact_person": "张经理",
            "company_name": "甲公司",
            "phone": "87654321",
            "content": "A",
            "category": "intent",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "缺少区号" in page


def test_home_cards_show_the_quota_and_the_team(client, rep, supervisor):
    client.force_login(rep)
    page = client.get("/").content.decode()
    assert "今日电话量" in page
    assert "0 / 120" in page
    client.force_login(supervisor)
    page = client.get("/").content.decode()
    assert "销售团队今日" in page


def test_logging_a_call_with_htmx_returns_a_fresh_form_and_refreshes_the_progress(client, rep):
    client.force_login(rep)
    response = client.post(
        "/sales/calls/new/",
        {"number": "13800138000", "outcome": "conversation", "talk_seconds": 45},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Trigger"] == "sales-changed"
    assert "通话已登记" in response.content.decode()
    assert Call.objects.count() == 1
    response = client.post(
        "/sales/calls/new/",
        {"number": "", "outcome": "conversation", "talk_seconds": 5},
        headers={"HX-Request": "true"},
    )
    assert "HX-Trigger" not in response
    assert Call.objects.count() == 1
    assert "13800138000" in client.get("/sales/calls/today/").content.decode()


def test_customers_to_follow_up_today_are_listed(client, rep):
    with time_machine.travel(NOON - datetime.timedelta(days=3), tick=False):
        services.follow_up_create(
            actor=rep,
            rep=rep,
            contact_person="张经理",
            company_name="回访公司",
            phone="13912345678",
            content="约今天回电",
            category="intent",
            next_follow_up=MONDAY,
        )
    client.force_login(rep)
    page = client.get("/sales/").content.decode()
    assert "今天要跟进的客户" in page
    assert "回访公司" in page
