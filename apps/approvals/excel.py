"""The adjustment records (调整记录) as an Excel workbook."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.excel import Column, StreamedWorkbook

from .models import AdjustmentRecord, FunctionChange


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


def function_changes_workbook(changes: Iterable[FunctionChange]) -> StreamedWorkbook:
    """Return a streamed workbook with one row per function-change request and its decision."""
    book = StreamedWorkbook()
    sheet = book.sheet(
        _("Function changes"),
        [
            Column(_("Number"), 11),
            Column(_("Title"), 30),
            Column(_("Kind of change"), 20),
            Column(_("Target"), 22),
            Column(_("Current value"), 26),
            Column(_("Wanted value"), 26),
            Column(_("Risk"), 8),
            Column(_("Service will stop"), 10),
            Column(_("Planned start"), 17),
            Column(_("Planned end"), 17),
            Column(pgettext("change request", "Requested by"), 12),
            Column(_("Status"), 10),
            Column(_("Submitted at"), 17),
            Column(_("Decided by"), 12),
            Column(_("Decided at"), 17),
            Column(_("Decision comment"), 30),
            Column(_("Implemented by"), 12),
            Column(_("Implemented at"), 17),
            Column(_("Verified by"), 12),
            Column(_("Verified at"), 17),
        ],
    )

    def name(user):
        return user.get_full_name() if user else ""

    for change in changes:
        sheet.append(
            [
                change.code,
                change.title,
                change.get_kind_display(),
                change.target_display,
                change.current_value,
                change.wanted_value,
                change.get_risk_level_display(),
                _("Yes") if change.service_interruption else _("No"),
                change.planned_start,
                change.planned_end,
                name(change.requester),
                change.get_status_display(),
                change.submitted_at,
                name(change.decided_by),
                change.decided_at,
                change.decision_comment,
                name(change.implemented_by),
                change.implemented_at,
                name(change.verified_by),
                change.verified_at,
            ]
        )
    return book
