"""The patch-table kinds, checked cell by cell against the patching selectors on a small plant."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from apps.patching import services as patching
from apps.patching.selectors import EXCEL_COLUMNS as COLUMNS
from apps.patching.selectors import distribution_table
from apps.reports.registry import kind_get
from apps.reports.services import report_build
from tests.patching.factories import Plant

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _build(code, params, today):
    out = io.BytesIO()
    rows = report_build(kind=kind_get(code), parameters=params, target=out, today=today)
    return rows, load_workbook(io.BytesIO(out.getvalue()))


def _values(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def _cells(row):
    return [None if row[key] == "" else row[key] for key, _zh, _en in COLUMNS]


def test_distribution_table_has_one_row_per_extension_and_spare_outlet():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        plant = Plant(size=3)
        plant.add_phones(2)
    rows, book = _build("distribution_table", {}, today=datetime.date(2026, 3, 3))

    assert book.sheetnames == ["概览", "配线表"]
    table = _values(book["配线表"])
    assert table[0] == [zh for _key, zh, _en in COLUMNS]
    expected = list(distribution_table())
    assert len(table) == 1 + len(expected) == 1 + 3
    for line, row in zip(table[1:], expected, strict=True):
        assert line == _cells(row)
    assert table[1][0] == "8001"
    assert table[1][6] == "A-1203-1"
    assert table[3][6] == "A-1203-3"  # the spare outlet
    summary = _values(book["概览"])
    assert ["分机", 2] in summary
    assert ["空闲信息点", 1] in summary
    assert ["路径不完整的分机", 0] in summary
    assert rows == 3


def test_distribution_table_at_a_past_date_shows_the_table_as_it_stood():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        plant = Plant(size=3)
        plant.add_phone()
    with time_machine.travel(datetime.datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        plant.add_phone()
        _rows, book = _build("distribution_table", {"at": "2026-03-02"}, today=datetime.date(2026, 3, 4))
    extensions = [row[0] for row in _values(book["配线表"])[1:] if row[0]]
    assert extensions == ["8001"]


def test_jumper_history_lists_each_change_of_the_period():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        plant = Plant(size=3)
        plant.add_phone()
    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI), tick=False):
        patching.jumper_disconnect(
            terminal="MDF-1/H01/01", actor=plant.actor, reason="=拆机", reference="WO-7"
        )

    rows, book = _build("jumper_history", {"period": "yesterday"}, today=datetime.date(2026, 3, 3))
    history = _values(book["跳线变更"])
    assert history[0] == ["时间", "操作人", "操作", "A 端", "B 端", "分机号", "原因", "关联单号"]
    assert len(history) == 1 + 3  # the extension and its two jumpers; the next day's change is left out
    connect = [row for row in history[1:] if row[3] == "MDF-1/H01/01"]
    assert connect[0][0] == datetime.datetime(2026, 3, 2, 10, 0)  # noqa: DTZ001 - Excel keeps local time
    assert connect[0][1:3] == ["王工", "跳接"]
    assert connect[0][4] == "MDF-1/V01/01"
    assert connect[0][6] == "装机"
    assert _values(book["按人员"])[1:] == [["王工", 3], ["合计", 3]]

    _rows, today = _build("jumper_history", {"period": "today"}, today=datetime.date(2026, 3, 3))
    removal = _values(today["跳线变更"])[1]
    assert removal[2] == "拆除跳线"
    assert removal[6:] == ["'=拆机", "WO-7"]
    assert rows == 3 + 1


def test_jumper_history_lists_fault_marks_and_filters_on_them():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        plant = Plant(size=3)
        plant.add_phone()
        patching.pair_set_faulty(
            pair="R-01/01", faulty=True, actor=plant.actor, reason="线对断线", reference="GZ-5"
        )
        patching.terminal_set_faulty(
            terminal="MDF-1/V01/03", faulty=True, actor=plant.actor, reason="端子松动"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 11, 0, tzinfo=SHANGHAI), tick=False):
        patching.pair_set_faulty(pair="R-01/01", faulty=False, actor=plant.actor, reason="已修复")

    _rows, book = _build("jumper_history", {"period": "yesterday"}, today=datetime.date(2026, 3, 3))
    history = _values(book["跳线变更"])
    marks = [row for row in history[1:] if row[2] in ("标记为故障", "恢复正常")]
    assert [(row[2], row[3], row[4], row[6], row[7]) for row in marks] == [
        ("标记为故障", "R-01/01", None, "线对断线", "GZ-5"),
        ("标记为故障", "MDF-1/V01/03", None, "端子松动", None),
        ("恢复正常", "R-01/01", None, "已修复", None),
    ]
    summary = _values(book["概览"])
    assert ["标记为故障", 2] in summary
    assert ["恢复正常", 1] in summary
    assert _values(book["按人员"])[-1] == ["合计", 3 + 3]

    _rows, book = _build(
        "jumper_history", {"period": "yesterday", "action": "working"}, today=datetime.date(2026, 3, 3)
    )
    assert [row[3] for row in _values(book["跳线变更"])[1:]] == ["R-01/01"]
