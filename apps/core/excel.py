"""Excel helpers every app shares: streamed workbooks that are safe to open, and reading uploads.

Workbooks are written with openpyxl's write-only mode, so memory stays flat whatever
the number of rows. Text that starts with ``=``, ``+``, ``-`` or ``@`` is prefixed with
an apostrophe-like quote so that no formula runs when the file is opened.
"""

import datetime
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Return ``value`` made safe for a spreadsheet cell; datetimes become naive local time."""
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time) or value is None:
        return value
    return neutralise(str(value))


@dataclass
class Column:
    header: str
    width: int = 14
    number_format: str | None = None


class StreamedWorkbook:
    """A write-only workbook: add sheets, append rows, save to a path or file object."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)
        self.rows_written = 0

    def sheet(self, title: str, columns: Sequence[Column | str]) -> "StreamedSheet":
        return StreamedSheet(self, title, [c if isinstance(c, Column) else Column(c) for c in columns])

    def save(self, target: str | IO[bytes]) -> None:
        self.workbook.save(target)


class StreamedSheet:
    def __init__(self, book: StreamedWorkbook, title: str, columns: list[Column]):
        self.book = book
        self.columns = columns
        self.ws = book.workbook.create_sheet(title=title[:31])
        for index, column in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        # Frozen header row and an autofilter over every column (set before rows are streamed).
        self.ws.freeze_panes = "A2"
        self.ws.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}1048576"
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.ws, value=neutralise(str(column.header)))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            header.append(cell)
        self.ws.append(header)
        self.rows = 0

    def append(self, values: Sequence) -> None:
        # Plain values go in as they are; only cells that need a number format become cell objects.
        row = []
        for column, value in zip(self.columns, values, strict=False):
            safe = neutralise(value)
            if isinstance(value, datetime.datetime):
                cell = WriteOnlyCell(self.ws, value=safe)
                cell.number_format = column.number_format or "yyyy-mm-dd hh:mm"
                safe = cell
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(self.ws, value=safe)
                cell.number_format = column.number_format or "yyyy-mm-dd"
                safe = cell
            elif column.number_format and value is not None:
                cell = WriteOnlyCell(self.ws, value=safe)
                cell.number_format = column.number_format
                safe = cell
            row.append(safe)
        self.ws.append(row)
        self.rows += 1
        self.book.rows_written += 1

    def extend(self, rows: Iterable[Sequence]) -> None:
        for values in rows:
            self.append(values)


class SpreadsheetError(ValueError):
    """An uploaded file that cannot be read as a workbook; the message is for the user."""


def open_uploaded_workbook(source: str | IO[bytes], *, max_bytes: int | None = None):
    """Open an uploaded .xlsx read-only, or raise SpreadsheetError with a sentence the user understands."""
    size = None
    if hasattr(source, "size"):
        size = source.size
    elif isinstance(source, str):
        import os

        size = os.path.getsize(source)
    if max_bytes is not None and size is not None and size > max_bytes:
        raise SpreadsheetError(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
        )
    if hasattr(source, "seek"):
        source.seek(0)
    try:
        if not zipfile.is_zipfile(source):
            raise SpreadsheetError(
                _(
                    "This is not an Excel .xlsx file (or it is password-protected). Save it as .xlsx and try again."
                )
            )
        if hasattr(source, "seek"):
            source.seek(0)
        return load_workbook(source, read_only=True, data_only=True)
    except SpreadsheetError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(_("The Excel file could not be read: %(error)s") % {"error": exc}) from exc


def unneutralise(value):
    """Undo ``neutralise`` for text read back from a workbook this project wrote."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] == "'"
        and value[1:].startswith(FORMULA_PREFIXES)
    ):
        return value[1:]
    return value
