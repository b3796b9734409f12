import datetime
import io

import pytest
from openpyxl import load_workbook

from apps.core.excel import SpreadsheetError, StreamedWorkbook, open_uploaded_workbook


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
