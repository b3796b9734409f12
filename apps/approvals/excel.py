"""The adjustment records (调整记录) as an Excel workbook."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from apps.core.excel import Column, StreamedWorkbook

from .models import AdjustmentRecord


def adjustment_records_workbook(records: Iterable[AdjustmentRecord]) -> StreamedWorkbook:
    """Return a streamed workbook with one row per adjustment record."""
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Adjustment records"),
        [
            Column(_("Number"), 11),
            Column(_("Performed at"), 17),
            Column(_("Kind of change"), 20),
            Column(_("What was adjusted"), 30),
            Column(_("Target"), 24),
            Column(_("Before"), 28),
            Column(_("After"), 28),
            Column(_("Why"), 30),
            Column(_("Performed by"), 12),
            Column(_("Function change"), 14),
            Column(_("Source"), 16),
            Column(_("Notes"), 30),
        ],
    )
    for record in records:
        sheet.append(
            [
                record.code,
                record.performed_at,
                record.get_kind_display(),
                record.what,
                record.target_display,
                record.before_value,
                record.after_value,
                record.reason,
                record.performed_by.get_full_name(),
                record.request.code if record.request_id else "",
                record.get_source_display(),
                record.notes,
            ]
        )
    return book
