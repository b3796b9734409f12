"""The front-desk figures as an Excel workbook."""

from django.utils.translation import gettext as _

from apps.core.excel import Column, StreamedWorkbook

from .selectors import FigureRow, Figures


def _columns(first: str) -> list[Column]:
    return [
        Column(first, 24),
        Column(_("Calls"), 10),
        Column(_("Answered within three rings"), 14),
        Column(_("Within three rings %"), 12, "0.0"),
        Column(_("Confirmed back"), 12),
        Column(_("Confirmed back %"), 12, "0.0"),
        Column(_("Callbacks due"), 12),
        Column(_("Callbacks on time"), 12),
        Column(_("Callbacks on time %"), 12, "0.0"),
        Column(_("Answered by someone not allowed"), 14),
    ]


def _values(label: str, row: FigureRow) -> list:
    return [
        label,
        row.calls,
        row.prompt,
        row.prompt_share,
        row.confirmed,
        row.confirmed_share,
        row.callbacks,
        row.callbacks_on_time,
        row.on_time_share,
        row.not_allowed,
    ]


def figures_workbook(figures: Figures, *, title: str) -> StreamedWorkbook:
    """Return a workbook with one sheet per line and one per person, each ending with the total."""
    book = StreamedWorkbook()
    for sheet_title, first, rows in (
        (_("By line"), _("Line"), figures.by_line),
        (_("By person"), _("Answered by"), figures.by_person),
    ):
        sheet = book.sheet(f"{sheet_title} {title}", _columns(first))
        for row in rows:
            sheet.append(_values(row.label, row))
        sheet.append(_values(_("Total"), figures.total))
    return book
