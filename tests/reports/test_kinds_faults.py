"""The faults kinds, checked cell by cell on a small dataset made through the faults services."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from apps.faults import services as faults
from apps.reports.registry import kind_get
from apps.reports.services import report_build
from tests.faults.factories import engineer, report

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _build(code, params, today):
    out = io.BytesIO()
    report_build(kind=kind_get(code), parameters=params, target=out, today=today)
    return load_workbook(io.BytesIO(out.getvalue()))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_faults_report_gives_response_and_restore_times_and_mttr_by_cause():
    eng = engineer(name="王工")
    with time_machine.travel(_at(2, 9), tick=False):
        fault = report(symptom="=无拨号音")
    with time_machine.travel(_at(2, 9, 10), tick=False):
        faults.fault_take(fault=fault, actor=eng)
    with time_machine.travel(_at(2, 10, 30), tick=False):
        faults.fault_restore(fault=fault, actor=eng, note="更换跳线")
    with time_machine.travel(_at(2, 11), tick=False):
        faults.fault_close(fault=fault, actor=eng, cause="frame", resolution="跳线松动")
        report(item="8200", symptom="杂音")  # still open
    fault.refresh_from_db()

    book = _build("faults", {"period": "yesterday"}, today=datetime.date(2026, 3, 3))
    assert book.sheetnames[0] == "概览"
    sheet = book[book.sheetnames[1]]
    rows = _values(sheet)
    assert len(rows) == 3
    first = rows[1]
    assert first[0] == fault.number
    assert first[1] == datetime.datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 - Excel keeps local time
    assert first[3:5] == ["8123", "'=无拨号音"]
    assert first[9] == datetime.datetime(2026, 3, 2, 10, 30)  # noqa: DTZ001
    assert first[10:12] == [10, 90]
    assert first[12] == fault.get_cause_display()
    assert first[13:] == ["王工", "跳线松动"]
    summary = _values(book["概览"])
    assert summary[-6:-2] == [
        [summary[-6][0], 2],
        [summary[-5][0], 1],
        [summary[-4][0], 10],
        [summary[-3][0], 90],
    ]
    causes = _values(book[book.sheetnames[2]])
    assert causes[1] == [fault.get_cause_display(), 1, 90]
    assert causes[-1][1] == 1


def test_inspections_and_access_log_list_the_entries_of_the_period():
    eng = engineer(name="王工")
    with time_machine.travel(_at(2, 14), tick=False):
        faults.access_entry_record(
            actor=eng, person_name="李师傅", organisation="电信局", purpose="线路检修", escort=eng
        )
    book = _build("inspections_access", {"period": "yesterday"}, today=datetime.date(2026, 3, 3))
    log = _values(book[book.sheetnames[2]])
    assert log[1][:5] == ["李师傅", "电信局", "线路检修", "否", "王工"]
    assert log[1][5] == datetime.datetime(2026, 3, 2, 14, 0)  # noqa: DTZ001
    summary = _values(book["概览"])
    assert summary[-4:-2] == [[summary[-4][0], 1], [summary[-3][0], 1]]
