"""The workbook a report kind writes: a summary sheet first, then detail sheets, all streamed."""

from collections.abc import Callable, Iterable, Sequence

from django.utils import timezone
from django.utils.translation import pgettext

from apps.core.excel import Column, StreamedWorkbook

from .params import DateRange, period_resolve

PROGRESS_EVERY = 5000


class DetailSheet:
    """One detail sheet; counts its rows and reports progress while rows stream in."""

    def __init__(self, writer: "ReportWriter", title: str, columns: Sequence[Column | str]):
        self.writer = writer
        self.title = str(title)
        self.sheet = writer.book.sheet(self.title, columns)
        self.rows = 0

    def append(self, values: Sequence) -> None:
        self.sheet.append(values)
        self.rows += 1
        self.writer._row_written()

    def extend(self, rows: Iterable[Sequence]) -> None:
        for values in rows:
            self.append(values)

    def total(self, values: Sequence) -> None:
        """Append a totals line; it does not count as a data row."""
        self.sheet.append(values)


class ReportWriter:
    """Give a kind a summary sheet and as many detail sheets as it needs.

    The summary sheet is created first so it opens first; its rows (title, parameters,
    when it was made, the kind's own figures, and the rows of each detail sheet) are
    written as they become known, which the streamed workbook allows because every sheet
    streams to its own temporary file until the workbook is saved.
    """

    def __init__(
        self,
        *,
        title: str,
        parameters: Sequence[tuple[str, str]] = (),
        on_progress: Callable[[int], None] | None = None,
        generated_at=None,
        today=None,
        user=None,
    ):
        self.book = StreamedWorkbook()
        self.title = str(title)
        self.details: list[DetailSheet] = []
        self.rows = 0
        self.on_progress = on_progress
        self.today = today or timezone.localdate()
        # Who asked for it (None for a schedule): kinds with object rules show only what that person may see.
        self.user = user
        self.summary = self.book.sheet(
            pgettext("report workbook", "Summary"),
            [
                Column(pgettext("report workbook", "Item"), 28),
                Column(pgettext("report workbook", "Value"), 48),
            ],
        )
        self.summary.append([pgettext("report workbook", "Report"), self.title])
        for label, value in parameters:
            self.summary.append([label, value])
        self.summary.append([pgettext("report workbook", "Generated at"), generated_at or timezone.now()])

    def detail(self, title: str, columns: Sequence[Column | str]) -> DetailSheet:
        sheet = DetailSheet(self, title, columns)
        self.details.append(sheet)
        return sheet

    def period(self, params: dict) -> DateRange:
        """Resolve the period parameters against the report's day and show the dates in the summary."""
        dates = period_resolve(params, today=self.today)
        self.summary.append([pgettext("report workbook", "Dates"), str(dates)])
        return dates

    def summary_row(self, label: str, value) -> None:
        """Add one of the kind's own figures (a total, a rate) to the summary sheet."""
        self.summary.append([str(label), value])

    def _row_written(self) -> None:
        self.rows += 1
        if self.on_progress is not None and self.rows % PROGRESS_EVERY == 0:
            self.on_progress(self.rows)

    def finish(self) -> int:
        """Write the rows of each detail sheet into the summary; return the data rows written."""
        for sheet in self.details:
            self.summary.append(
                [pgettext("report workbook", "Rows in “%(sheet)s”") % {"sheet": sheet.title}, sheet.rows]
            )
        return self.rows

    def save(self, target) -> None:
        self.book.save(target)

    def discard(self) -> None:
        """Drop a workbook that will not be saved, removing the temporary files its sheets stream to."""
        self.book.discard()
