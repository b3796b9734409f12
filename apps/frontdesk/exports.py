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


def calls_workbook(calls) -> StreamedWorkbook:
    """Return the call log (a queryset from ``call_list``) as one sheet, one row per call."""
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Calls"),
        [
            Column(_("Answered at"), 17),
            Column(_("Line"), 16),
            Column(_("Answered by"), 12),
            Column(_("Allowed to answer"), 10),
            Column(_("Rings"), 8),
            Column(_("Caller"), 14),
            Column(_("Caller number"), 16),
            Column(_("Kind"), 14),
            Column(_("What the caller wants"), 40),
            Column(_("Confirmed"), 10),
            Column(_("Outcome"), 16),
            Column(_("Call back by"), 17),
            Column(_("Called back at"), 17),
        ],
    )
    yes, no = _("Yes"), _("No")
    for call in calls.iterator(chunk_size=2000):
        callback = getattr(call, "callback", None) if call.outcome == call.Outcome.CALLBACK else None
        sheet.append(
            [
                call.answered_at,
                call.line.number,
                call.answered_by.get_full_name(),
                yes if call.answerer_allowed else no,
                call.rings,
                call.caller_name,
                call.caller_number,
                call.get_kind_display(),
                call.request,
                yes if call.confirmed else no,
                call.get_outcome_display(),
                callback.due_at if callback else None,
                callback.done_at if callback else None,
            ]
        )
    return book


def figures_workbook(figures: Figures, *, title: str) -> StreamedWorkbook:
    """Return a workbook with one sheet per line and one per person, each ending with the total."""
    book = StreamedWorkbook()
    sheets = [
        (_("By line"), _("Line"), figures.by_line),
        (_("By person"), _("Answered by"), figures.by_person),
    ]
    if figures.by_day:
        sheets.append((_("By day"), _("Day"), figures.by_day))
    for sheet_title, first, rows in sheets:
        sheet = book.sheet(f"{sheet_title} {title}", _columns(first))
        for row in rows:
            sheet.append(_values(row.label, row))
        sheet.append(_values(_("Total"), figures.total))
    return book
