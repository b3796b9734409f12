"""Excel helpers every app shares: streamed workbooks that are safe to open, and reading uploads.

Workbooks are written by a small xlsx writer of our own: each row becomes sheet XML (inline
strings, no shared-string table) in a temporary file as it is appended, and ``save`` puts the
pieces into the zip. Memory stays flat whatever the number of rows, and no cell objects are
built, which makes a 20,000-row export several times faster than openpyxl's write-only mode.

Text that starts with ``=``, ``+``, ``-`` or ``@`` is prefixed with an apostrophe-like quote so
that no formula runs when the file is opened; characters XML cannot hold are dropped.
"""

import datetime
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FILL = "FFDDEBF7"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "h:mm:ss"
MAX_ROWS = 1048576  # Excel's limit, header included
MAX_TEXT = 32767  # the most characters an Excel cell holds
SHEET_TITLE_MAX = 31

# Characters that need work before text goes into the XML: markup, carriage returns (a parser
# would turn them into line feeds), control characters and code points XML 1.0 does not allow.
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]").search
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\\/?*\[\]:]")
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's serial dates are naive
_EXCEL_EPOCH_ORDINAL = _EXCEL_EPOCH.toordinal()

# Number formats Excel knows by id; any other gets an id of its own from 164 up.
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
    "0.00E+00": 11,
    "h:mm:ss": 21,
    "@": 49,
}


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


def _text(value: str) -> str:
    """``<is>`` content for text that needs escaping, cleaning, trimming or kept spaces."""
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if _NEEDS_WORK(value):
        value = _ILLEGAL.sub("", value)
        value = escape(value, {"\r": "&#13;"})
    if value[:1].isspace() or value[-1:].isspace():
        return f'<is><t xml:space="preserve">{value}</t></is>'
    return f"<is><t>{value}</t></is>"


def _serial(value: datetime.date | datetime.datetime) -> int | float:
    """Excel's serial number for a date (whole days) or a naive datetime (days and a fraction)."""
    days = value.toordinal() - _EXCEL_EPOCH_ORDINAL
    if 0 < days <= 60:  # Excel counts a 29 February 1900 that never was
        days -= 1
    if isinstance(value, datetime.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return days + seconds / 86400 if seconds else days
    return days


def _time_serial(value: datetime.time) -> float:
    return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400


class _Styles:
    """The workbook's cell formats: 0 plain, 1 the header, then one per number format in use."""

    def __init__(self):
        self.formats: dict[str, int] = {}

    def number_format(self, code: str) -> str:
        """The ``s`` attribute (with its leading space) for cells shown with ``code``."""
        if code not in self.formats:
            self.formats[code] = len(self.formats) + 2
        return f' s="{self.formats[code]}"'

    def xml(self) -> str:
        custom = {}
        xfs = []
        for code in self.formats:
            number_id = _BUILTIN_FORMATS.get(code)
            if number_id is None:
                number_id = custom.setdefault(code, 164 + len(custom))
            xfs.append(
                f'<xf numFmtId="{number_id}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            )
        num_fmts = "".join(
            f'<numFmt numFmtId="{number_id}" formatCode={quoteattr(code)}/>'
            for code, number_id in custom.items()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + (f'<numFmts count="{len(custom)}">{num_fmts}</numFmts>' if custom else "")
            + '<fonts count="2">'
            '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            "</fonts>"
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_FILL}"/><bgColor indexed="64"/>'
            "</patternFill></fill></fills>"
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs) + 2}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
            + "".join(xfs)
            + "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


class StreamedWorkbook:
    """A streamed workbook: add sheets, append rows, save once to a path or binary file object."""

    def __init__(self):
        self.sheets: list[StreamedSheet] = []
        self.rows_written = 0
        self.saved = False
        self._styles = _Styles()

    def sheet(self, title: str, columns: Sequence[Column | str]) -> "StreamedSheet":
        if self.saved:
            raise RuntimeError("The workbook has been saved; it takes no more sheets.")
        sheet = StreamedSheet(
            self, self._unique_title(title), [c if isinstance(c, Column) else Column(c) for c in columns]
        )
        self.sheets.append(sheet)
        return sheet

    def _unique_title(self, title) -> str:
        """A sheet name Excel accepts: at most 31 characters, none of \\ / ? * [ ] :, not used yet."""
        title = _SHEET_TITLE_ILLEGAL.sub("_", _ILLEGAL.sub("", str(title))).strip("'") or "Sheet"
        taken = {sheet.title.lower() for sheet in self.sheets}
        candidate = title[:SHEET_TITLE_MAX]
        number = 1
        while candidate.lower() in taken:
            suffix = str(number)
            candidate = title[: SHEET_TITLE_MAX - len(suffix)] + suffix
            number += 1
        return candidate

    def save(self, target: str | IO[bytes]) -> None:
        """Write the .xlsx to ``target``; the sheets' temporary files go once they are in it."""
        if self.saved:
            raise RuntimeError("A streamed workbook can be saved only once.")
        self.saved = True
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                zf.writestr("[Content_Types].xml", self._content_types())
                zf.writestr("_rels/.rels", _ROOT_RELS)
                zf.writestr("docProps/app.xml", _APP_PROPS)
                zf.writestr("docProps/core.xml", _core_props())
                zf.writestr("xl/workbook.xml", self._workbook_xml())
                zf.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
                zf.writestr("xl/styles.xml", self._styles.xml())
                for index, sheet in enumerate(self.sheets, start=1):
                    sheet._write_to(zf, f"xl/worksheets/sheet{index}.xml", selected=index == 1)
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop the rows streamed so far (their temporary files) without writing a file."""
        for sheet in self.sheets:
            sheet._close()

    def _content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(self.sheets) + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/'
            'vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>' + sheets + "</Types>"
        )

    def _workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, sheet in enumerate(self.sheets, start=1)
        )
        # Excel keeps each sheet's filter range as a hidden name; openpyxl and Excel both write it.
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(sheet._quoted_title())}!{sheet._filter_ref(absolute=True)}</definedName>"
            for i, sheet in enumerate(self.sheets)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>"
        )

    def _workbook_rels(self) -> str:
        count = len(self.sheets)
        sheets = "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + sheets
            + f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>'
        )


class StreamedSheet:
    """One sheet: a bold, frozen header row with an autofilter, then the rows as they are appended.

    Values become real Excel values: numbers, booleans, dates and datetimes (local time, shown
    as ``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm`` unless the column has a number format), times;
    ``None`` and ``""`` leave the cell empty; anything else is written as (neutralised) text.
    Values beyond the columns are left out.
    """

    def __init__(self, book: StreamedWorkbook, title: str, columns: list[Column]):
        self.book = book
        self.title = title
        self.columns = columns
        self.rows = 0
        self._styles = book._styles
        self._letters = [get_column_letter(i) for i in range(1, len(columns) + 1)]
        # Per column: the start of a cell's tag up to its row number, and the style of formatted values.
        self._cells = [
            (
                f'<c r="{letter}',
                self._styles.number_format(column.number_format) if column.number_format else "",
            )
            for letter, column in zip(self._letters, columns, strict=True)
        ]
        # Rows are kept in memory until they pass 1 MB, then go to disk.
        self._file = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 - closed in _close
        self._write = self._file.write
        header = "".join(
            f'<c r="{letter}1" t="inlineStr" s="1">{_text(neutralise(str(column.header)))}</c>'
            for letter, column in zip(self._letters, columns, strict=True)
        )
        self._write(f'<row r="1">{header}</row>'.encode())

    def append(self, values: Sequence) -> None:
        if self._file is None:
            raise RuntimeError("The workbook has been saved or discarded; its sheets take no more rows.")
        number = self.rows + 2
        if number > MAX_ROWS:
            raise ValueError(f"A sheet holds at most {MAX_ROWS - 1} rows below its header.")
        row = str(number)
        parts = [f'<row r="{row}">']
        add = parts.append
        for (start, style), value in zip(self._cells, values, strict=False):
            if type(value) is str:  # the common case first, inline
                if not value:
                    continue
                if value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                if len(value) > MAX_TEXT or _NEEDS_WORK(value) or value[0].isspace() or value[-1].isspace():
                    add(f'{start}{row}" t="inlineStr"{style}>{_text(value)}</c>')
                else:
                    add(f'{start}{row}" t="inlineStr"{style}><is><t>{value}</t></is></c>')
            elif value is not None:
                cell = self._other_cell(start, row, style, value)
                if cell:
                    add(cell)
        add("</row>")
        self._write("".join(parts).encode())
        self.rows += 1
        self.book.rows_written += 1

    def _other_cell(self, start: str, row: str, style: str, value) -> str:
        """The XML for a value that is not plain text ("" when the cell stays empty)."""
        kind = type(value)
        if kind is int or kind is float or kind is Decimal:
            number = float(value) if kind is Decimal else value
            if kind is int or math.isfinite(number):
                return f'{start}{row}"{style}><v>{number!r}</v></c>'
            return f'{start}{row}" t="inlineStr"{style}>{_text(str(value))}</c>'
        if kind is bool:
            return f'{start}{row}" t="b"{style}><v>{int(value)}</v></c>'
        if isinstance(value, datetime.datetime):
            style = style or self._styles.number_format(DATETIME_FORMAT)
            return f'{start}{row}"{style}><v>{_serial(neutralise(value))!r}</v></c>'
        if isinstance(value, datetime.date):
            style = style or self._styles.number_format(DATE_FORMAT)
            return f'{start}{row}"{style}><v>{_serial(value)}</v></c>'
        if isinstance(value, datetime.time):
            style = style or self._styles.number_format(TIME_FORMAT)
            return f'{start}{row}"{style}><v>{_time_serial(value)!r}</v></c>'
        if isinstance(value, int):  # subclasses of the numbers, such as IntegerChoices
            return self._other_cell(start, row, style, int(value))
        if isinstance(value, float | Decimal):
            return self._other_cell(start, row, style, float(value))
        text = neutralise(str(value))
        if not text:
            return ""
        return f'{start}{row}" t="inlineStr"{style}>{_text(text)}</c>'

    def extend(self, rows: Iterable[Sequence]) -> None:
        for values in rows:
            self.append(values)

    def _filter_ref(self, *, absolute: bool = False) -> str:
        last = get_column_letter(max(len(self.columns), 1))
        if absolute:
            return f"$A$1:${last}${MAX_ROWS}"
        return f"A1:{last}{MAX_ROWS}"

    def _quoted_title(self) -> str:
        return "'" + self.title.replace("'", "''") + "'"

    def _write_to(self, zf: zipfile.ZipFile, name: str, *, selected: bool) -> None:
        if self._file is None:
            raise RuntimeError("The workbook was discarded; there are no rows to save.")
        last = get_column_letter(max(len(self.columns), 1))
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{column.width}" customWidth="1"/>'
            for i, column in enumerate(self.columns, start=1)
        )
        tab = ' tabSelected="1"' if selected else ""
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<dimension ref="A1:{last}{self.rows + 1}"/>'
            f'<sheetViews><sheetView{tab} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        ).encode()
        tail = (
            f'</sheetData><autoFilter ref="{self._filter_ref()}"/>'
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
        ).encode()
        self._file.flush()
        size = len(head) + self._file.tell() + len(tail)
        self._file.seek(0)
        with zf.open(name, "w", force_zip64=size > 2**31 - 2**24) as out:
            out.write(head)
            shutil.copyfileobj(self._file, out, 1024 * 1024)
            out.write(tail)
        self._close()

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'extended-properties" Target="docProps/app.xml"/></Relationships>'
)
_APP_PROPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Telroom</Application></Properties>"
)


def _core_props() -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>Telroom</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


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
