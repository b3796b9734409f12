"""The monthly statement as Excel, for payroll."""

from django.utils.translation import gettext as _

from apps.core.excel import Column, StreamedWorkbook

MONEY = "#,##0.00"


def statement_workbook(data: dict) -> StreamedWorkbook:
    """Return a workbook: a summary sheet (one row per rep) and a sheet of every rep's days."""
    book = StreamedWorkbook()
    summary = book.sheet(
        _("Summary"),
        [
            Column(_("Sales rep"), 16),
            Column(_("Username"), 14),
            Column(_("Working days"), 10),
            Column(_("Calls short"), 10),
            Column(_("Customers short"), 12),
            Column(_("False records"), 10),
            Column(_("Shortfall fine (yuan)"), 14, MONEY),
            Column(_("False-record fine (yuan)"), 14, MONEY),
            Column(_("Total fine (yuan)"), 14, MONEY),
        ],
    )
    for statement in data["statements"]:
        totals = statement["totals"]
        rep = statement["rep"]
        summary.append(
            [
                rep.get_full_name(),
                rep.username,
                int(totals.get("working_days", 0)),
                int(totals.get("short_calls", 0)),
                int(totals.get("short_customers", 0)),
                int(totals.get("false_records", 0)),
                totals.get("fine_shortfall", 0),
                totals.get("fine_false", 0),
                totals.get("fine_total", 0),
            ]
        )
    days = book.sheet(
        _("Days"),
        [
            Column(_("Sales rep"), 16),
            Column(_("Date"), 12),
            Column(_("Working day"), 8),
            Column(_("Required calls"), 10),
            Column(_("Effective calls"), 10),
            Column(_("Required customers"), 10),
            Column(_("Counted customers"), 10),
            Column(_("Calls short"), 10),
            Column(_("Customers short"), 10),
            Column(_("False records"), 10),
            Column(_("Shortfall fine (yuan)"), 12, MONEY),
            Column(_("False-record fine (yuan)"), 12, MONEY),
            Column(_("Total fine (yuan)"), 12, MONEY),
            Column(_("Closed"), 8),
        ],
    )
    yes, no = _("Yes"), _("No")
    for statement in data["statements"]:
        name = statement["rep"].get_full_name()
        for line in statement["days"]:
            if not line["working_day"] and not line["fine_total"] and not line["effective_calls"]:
                continue  # a Sunday or holiday with nothing on it
            days.append(
                [
                    name,
                    line["date"],
                    yes if line["working_day"] else no,
                    line["required_calls"],
                    line["effective_calls"],
                    line["required_customers"],
                    line["counted_customers"],
                    line["short_calls"],
                    line["short_customers"],
                    line["false_records"],
                    line["fine_shortfall"],
                    line["fine_false"],
                    line["fine_total"],
                    yes if line["closed"] else no,
                ]
            )
    return book
