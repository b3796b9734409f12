import datetime
import io
import tempfile
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.db.models import IntegerChoices
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from apps.core.excel import (
    Column,
    SpreadsheetError,
    StreamedWorkbook,
    open_uploaded_workbook,
    unneutralise,
)


def test_streamed_workbook_neutralises_formulas_and_keeps_dates():
    book = StreamedWorkbook()
    sheet = book.sheet("配线表", ["分机号", "备注", "日期"])
    sheet.append(["8001", '=HYPERLINK("http://x")', datetime.date(2026, 3, 1)])
    sheet.append(["+8002", "@SUM(A1)", None])
    out = io.BytesIO()
    book.save(out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["配线表"]
    assert ws["B2"].value == '\'=HYPERLINK("http://x")'
    assert ws["A3"].value == "'+8002"
    assert ws["B3"].value == "'@SUM(A1)"
    assert ws["C2"].value == datetime.datetime(2026, 3, 1)  # noqa: DTZ001 - Excel dates are naive
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:C")


def test_a_text_file_is_refused_with_a_sentence():
    with pytest.raises(SpreadsheetError, match="xlsx"):
        open_uploaded_workbook(io.BytesIO(b"not,a,workbook\n"))


def _saved(book: StreamedWorkbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_values_come_back_as_real_excel_values_with_formats():
    book = StreamedWorkbook()
    sheet = book.sheet(
        "数值",
        [
            "分机号",
            Column("金额", 12, "#,##0.00"),
            "日期",
            "时间",
            Column("比例", 10, "0.0%"),
            "是否",
            "备注",
        ],
    )
    at = datetime.datetime(2026, 3, 1, 2, 5, tzinfo=datetime.UTC)
    sheet.append(
        [8001, Decimal("1234.5"), datetime.date(2026, 3, 1), datetime.time(8, 30), 0.25, True, "王工"]
    )
    sheet.append([None, 7, at, None, None, False, ""])
    sheet.append([2.5, None, datetime.datetime(2026, 3, 1, 9, 15, 30), None, None, None, "早班 / 夜班"])  # noqa: DTZ001

    ws = load_workbook(io.BytesIO(_saved(book)))["数值"]
    assert [c.value for c in ws[2]] == [
        8001,
        1234.5,
        datetime.datetime(2026, 3, 1),  # noqa: DTZ001 - Excel dates are naive
        datetime.time(8, 30),
        0.25,
        True,
        "王工",
    ]
    assert ws["B2"].number_format == "#,##0.00"
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["E2"].number_format == "0.0%"
    assert ws["A2"].data_type == "n"
    assert ws["F2"].data_type == "b"
    # An aware datetime is shown in local time; None and "" leave the cell empty.
    assert ws["C3"].value == timezone.localtime(at).replace(tzinfo=None)
    assert ws["C3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["A3"].value is None
    assert ws["G3"].value is None
    assert ws["B3"].value == 7
    assert ws["B3"].number_format == "#,##0.00"
    assert ws["C4"].value == datetime.datetime(2026, 3, 1, 9, 15, 30)  # noqa: DTZ001
    assert ws["G4"].value == "早班 / 夜班"
    assert ws.max_row == 4


def test_text_is_neutralised_cleaned_and_kept_intact():
    book = StreamedWorkbook()
    sheet = book.sheet("文本", ["甲", "乙", "丙", "丁"])
    sheet.append(["-8001", "=1+1", "\t制表", "\r回车"])
    sheet.append(["a\x00b\x07c\x1fd", "  前后空格  ", "第一行\n第二行", 'A&B <C> "D"'])
    sheet.append(["#N/A", "它\ufffe好", "x" * 40000, "€ 𠀀 表"])
    sheet.append([gettext_lazy("Total"), IntegerChoices("Kind", "ONE TWO").TWO, float("nan"), "行\r\n尾"])

    ws = load_workbook(io.BytesIO(_saved(book)))["文本"]
    assert [c.value for c in ws[2]] == ["'-8001", "'=1+1", "'\t制表", "'\r回车"]
    assert [unneutralise(c.value) for c in ws[2]] == ["-8001", "=1+1", "\t制表", "\r回车"]
    assert all(c.data_type == "s" for c in ws[2])
    assert [c.value for c in ws[3]] == ["abcd", "  前后空格  ", "第一行\n第二行", 'A&B <C> "D"']
    assert ws["A4"].value == "#N/A"
    assert ws["A4"].data_type == "s"
    assert ws["B4"].value == "它好"
    assert len(ws["C4"].value) == 32767  # the most a cell holds
    assert ws["D4"].value == "€ 𠀀 表"
    assert ws["A5"].value == str(gettext_lazy("Total"))
    assert ws["B5"].value == 2
    assert ws["C5"].value == "nan"
    assert ws["D5"].value == "行\r\n尾"


def test_header_is_bold_frozen_filtered_and_columns_have_their_widths():
    book = StreamedWorkbook()
    sheet = book.sheet("配线表", [Column("分机号", 10), Column("=用户", 22), "备注"])
    sheet.append(["8001", "王工", "多余", "超出列数的值不写"])
    data = _saved(book)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None

    ws = load_workbook(io.BytesIO(data))["配线表"]
    assert [c.value for c in ws[1]] == ["分机号", "'=用户", "备注"]
    assert ws["A1"].font.b
    assert ws["A1"].fill.fgColor.rgb == "FFDDEBF7"
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:C1048576"
    assert ws.column_dimensions["A"].width == 10
    assert ws.column_dimensions["B"].width == 22
    assert ws.column_dimensions["C"].width == 14
    assert ws.max_column == 3  # the value beyond the columns is left out
    assert sheet.rows == 1
    assert book.rows_written == 1


def test_sheets_fill_in_any_order_and_get_names_excel_accepts():
    book = StreamedWorkbook()
    summary = book.sheet("汇总", ["项目", "值"])
    detail = book.sheet("明细: 2026/03 [A座]", ["分机号"])
    again = book.sheet("汇总", ["项目"])
    long = book.sheet("很长的工作表名称" * 5, ["项目"])
    for n in range(3):
        detail.append([str(8000 + n)])
    summary.append(["明细行数", detail.rows])
    again.append(["重名"])
    long.append(["长名"])

    read = load_workbook(io.BytesIO(_saved(book)), read_only=True)
    assert read.sheetnames == ["汇总", "明细_ 2026_03 _A座_", "汇总1", ("很长的工作表名称" * 5)[:31]]
    assert list(read["汇总"].values) == [("项目", "值"), ("明细行数", 3)]
    assert list(read["明细_ 2026_03 _A座_"].values) == [("分机号",), ("8000",), ("8001",), ("8002",)]
    assert list(read["汇总1"].values) == [("项目",), ("重名",)]
    assert book.rows_written == 6


def test_a_workbook_saves_to_a_stream_that_cannot_seek():
    book = StreamedWorkbook()
    book.sheet("表", ["列"]).append(["值"])
    response = HttpResponse()
    book.save(response)
    assert load_workbook(io.BytesIO(response.content))["表"]["A2"].value == "值"


def test_a_saved_or_discarded_workbook_takes_no_more_rows():
    book = StreamedWorkbook()
    sheet = book.sheet("表", ["列"])
    book.save(io.BytesIO())
    with pytest.raises(RuntimeError):
        sheet.append(["迟到"])
    with pytest.raises(RuntimeError):
        book.save(io.BytesIO())

    dropped = StreamedWorkbook()
    sheet = dropped.sheet("表", ["列"])
    sheet.append(["值"])
    dropped.discard()
    with pytest.raises(RuntimeError):
        sheet.append(["值"])


def test_memory_stays_flat_while_a_large_sheet_is_written():
    book = StreamedWorkbook()
    sheet = book.sheet("配线表", [f"列{i}" for i in range(13)])
    row = ["MDF-1/H03/17", "王工", "工程部", "A座", "5F", "A0512", "A-05-012", "8001"] + ["备注文字"] * 5
    tracemalloc.start()
    try:
        for _ in range(20000):
            sheet.append(row)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # About 20 MB of sheet XML went by; what stays in memory is the 1 MB spool at most.
    assert peak < 4 * 1024 * 1024
    with tempfile.TemporaryFile() as out:
        book.save(out)
        out.seek(0)
        assert load_workbook(out, read_only=True)["配线表"].max_row == 20001
