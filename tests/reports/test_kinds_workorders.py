import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from apps.reports.registry import kind_get
from apps.reports.services import report_build
from tests.workorders.factories import assigned_order, make_order

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_work_orders_report_lists_orders_submitted_in_the_period():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        order = assigned_order(person="=张三", wanted_date=datetime.date(2026, 3, 1))
        make_order()  # a draft: never submitted, not in the report
    out = io.BytesIO()
    report_build(
        kind=kind_get("work_orders"),
        parameters={"period": "yesterday"},
        target=out,
        today=datetime.date(2026, 3, 3),
    )
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = _values(book[book.sheetnames[1]])
    assert len(sheet) == 2
    row = sheet[1]
    assert row[0] == order.number
    assert row[1:3] == [order.get_kind_display(), order.get_status_display()]
    assert row[4:8] == ["行政部", "'=张三", "B-5-0507", "8123"]
    assert row[8] == datetime.datetime(2026, 3, 1)  # noqa: DTZ001 - Excel dates are naive
    assert row[9] == datetime.datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001
    assert row[11] is None
    assert row[12] == "是"  # wanted on the 1st, still open on the 3rd
    assert _values(book[book.sheetnames[2]])[-1][1] == 1
