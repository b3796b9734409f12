import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from apps.frontdesk.models import Call
from apps.reports.registry import kind_get
from apps.reports.services import report_build
from tests.frontdesk.factories import front_desk_user, log_call, make_line

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_frontdesk_report_lists_calls_and_the_rates():
    desk = front_desk_user()
    line = make_line()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI), tick=False):
        log_call(actor=desk, line=line, request="=订位")
        log_call(actor=desk, line=line, rings=5, confirmed=False, outcome=Call.Outcome.CALLBACK)
    out = io.BytesIO()
    report_build(
        kind=kind_get("frontdesk_calls"),
        parameters={"period": "yesterday"},
        target=out,
        today=datetime.date(2026, 3, 3),
    )
    book = load_workbook(io.BytesIO(out.getvalue()))
    calls = _values(book[book.sheetnames[1]])
    assert len(calls) == 3
    first = calls[1]
    assert first[0] == datetime.datetime(2026, 3, 2, 12, 0)  # noqa: DTZ001 - Excel keeps local time
    assert first[1:5] == [line.number, "孙前台", 2, "是"]
    assert first[8:10] == ["'=订位", "是"]
    second = calls[2]
    assert second[3:5] == [5, "否"]
    assert second[12] == datetime.datetime(2026, 3, 2, 12, 30)  # noqa: DTZ001 - the line's 30 minutes
    summary = dict((row[0], row[1]) for row in _values(book["概览"])[1:])
    assert 50.0 in summary.values()  # one of two answered within three rings
    per_person = _values(book[book.sheetnames[3]])
    assert per_person[1][:3] == ["孙前台", 2, 50.0]
