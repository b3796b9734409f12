"""The kinds that read other apps' selectors, checked cell by cell on a small dataset."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from apps.approvals.models import AdjustmentRecord, FunctionChange
from apps.reports.registry import kind_get
from apps.reports.services import report_build
from apps.sales import services as sales
from tests.approvals.factories import chief, engineer, make_request
from tests.sales.factories import make_rep, make_supervisor

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# Excel keeps dates without a time zone; openpyxl reads them back as naive datetimes.
EXCEL_MARCH_2 = datetime.datetime(2026, 3, 2)  # noqa: DTZ001
EXCEL_MARCH_3 = datetime.datetime(2026, 3, 3)  # noqa: DTZ001


def _build(code, params, today, user=None):
    out = io.BytesIO()
    rows = report_build(kind=kind_get(code), parameters=params, target=out, today=today, user=user)
    return rows, load_workbook(io.BytesIO(out.getvalue()))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def _naive(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def test_function_changes_report_lists_requests_and_adjustments_of_the_period():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        change = make_request(
            requester=engineer(name="王工"),
            approver=chief(name="李总工"),
            status=FunctionChange.Status.IMPLEMENTED,
            title="=限制分机长途",
        )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        make_request(
            requester=engineer(name="赵工"), status=FunctionChange.Status.SUBMITTED, title="下周的申请"
        )
    change.refresh_from_db()
    record = AdjustmentRecord.objects.get(request=change)

    rows, book = _build("function_changes", {"period": "last_week"}, today=datetime.date(2026, 3, 9))

    assert book.sheetnames == ["概览", "功能调整", "调整记录", "按调整类别"]
    changes = _values(book["功能调整"])
    assert len(changes) == 2  # the request of the next week is not in last week's report
    assert changes[1] == [
        change.code,
        "'=限制分机长途",
        change.get_kind_display(),
        change.target_display,
        change.get_risk_level_display(),
        "否",
        _naive(change.planned_start).replace(second=0),
        "王工",
        change.get_status_display(),
        _naive(change.submitted_at),
        "李总工",
        _naive(change.decided_at),
        "同意",
        "王工",
        _naive(change.implemented_at),
        None,
        None,
    ]
    records = _values(book["调整记录"])
    assert records[1][0] == record.code
    assert records[1][2:5] == [record.get_kind_display(), "'" + record.what, record.target_display]
    assert records[1][8:10] == ["王工", change.code]
    assert _values(book["按调整类别"])[1:] == [[record.get_kind_display(), 1], ["合计", 1]]
    summary = _values(book["概览"])
    assert summary[1] == ["报表", "功能调整与调整记录"]
    assert ["日期范围", "2026-03-02 – 2026-03-08"] in summary
    assert [f"申请（{change.get_status_display()}）", 1] in summary
    assert rows == 3


def _sales_days():
    supervisor = make_supervisor()
    rep = make_rep(name="刘销售", supervisor=supervisor)
    other = make_rep(username="ma", name="马销售")
    with time_machine.travel(datetime.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI), tick=False):
        for minute in (1, 2):
            sales.call_log(
                actor=rep,
                rep=rep,
                number="13800138000",
                started_at=datetime.datetime(2026, 3, 2, 10, minute, tzinfo=SHANGHAI),
                talk_seconds=60,
                outcome="conversation",
            )
        sales.quota_days_close(day=datetime.date(2026, 3, 2))
    return supervisor, rep, other


def test_sales_results_show_each_day_against_the_standard_with_fines():
    _supervisor, rep, _other = _sales_days()
    params = {"period": "custom", "date_from": "2026-03-02", "date_to": "2026-03-03"}
    _rows, book = _build("sales_results", params, today=datetime.date(2026, 3, 4))

    assert book.sheetnames == ["概览", "每日结果", "按销售汇总"]
    days = _values(book["每日结果"])
    liu = [row for row in days[1:] if row[1] == "liu"]
    assert liu == [
        ["刘销售", "liu", EXCEL_MARCH_2, "是", 120, 2, 25, 0, 118, 25, 0, 715, 0, 715, "是"],
        ["刘销售", "liu", EXCEL_MARCH_3, "是", 120, 0, 25, 0, 120, 25, 0, 725, 0, 725, "否"],
    ]
    assert book["每日结果"]["L2"].number_format == "#,##0.00"
    per_rep = _values(book["按销售汇总"])
    assert ["刘销售", "liu", None, 2, 2, 0, 238, 50, 0, 1440] in per_rep
    assert per_rep[-1] == ["合计", None, None, 4, 2, 0, 478, 100, 0, 2890]
    summary = _values(book["概览"])
    assert ["销售人数", 2] in summary
    assert ["未达标天数", 4] in summary
    assert ["罚款合计（元）", 2890] in summary


def test_a_supervisor_running_the_sales_report_sees_only_their_team():
    supervisor, _rep, _other = _sales_days()
    params = {"period": "custom", "date_from": "2026-03-02", "date_to": "2026-03-02"}
    _rows, book = _build("sales_results", params, today=datetime.date(2026, 3, 4), user=supervisor)
    assert [row[1] for row in _values(book["每日结果"])[1:]] == ["liu"]


def test_monthly_fines_statement_lists_fines_per_rep_and_fined_days():
    _sales_days()
    _rows, book = _build("sales_fines", {"period": "last_month"}, today=datetime.date(2026, 4, 1))
    assert book.sheetnames == ["概览", "罚款汇总", "罚款明细"]
    statement = _values(book["罚款汇总"])
    liu = next(row for row in statement if row[1] == "liu")
    # March 2026: 26 working days (Sundays off); the 2nd had two effective calls.
    assert liu[:4] == ["刘销售", "liu", None, 26]
    assert liu[4] == 26 * 120 - 2
    assert liu[9] == (26 * 120 - 2 + 26 * 25) * 5
    fined = _values(book["罚款明细"])
    assert fined[1] == ["刘销售", EXCEL_MARCH_2, 118, 25, 0, 715, 0, 715]
    assert ["日期范围", "2026-03-01 – 2026-03-31"] in _values(book["概览"])


def test_sales_results_for_one_team():
    supervisor, _rep, _other = _sales_days()
    params = {"period": "custom", "date_from": "2026-03-02", "date_to": "2026-03-02", "team": supervisor.pk}
    _rows, book = _build("sales_results", params, today=datetime.date(2026, 3, 4))
    assert [row[1] for row in _values(book["每日结果"])[1:]] == ["liu"]
    assert ["团队（主管）", "陈主管"] in _values(book["概览"])
