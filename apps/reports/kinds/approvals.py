"""Function changes (功能调整) and adjustment records (调整记录)."""

from collections import Counter

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.approvals.models import FunctionChange
from apps.approvals.selectors import adjustment_record_list
from apps.core.excel import Column

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter


def _name(user) -> str:
    return user.get_full_name() if user else ""


@register_kind(
    code="function_changes",
    label=gettext_lazy("Function changes and adjustment records"),
    description=gettext_lazy(
        "Function-change requests submitted, decided, implemented or verified in the period, "
        "and the adjustment records made."
    ),
    form=PeriodForm,
    run_permissions=("approvals.view_functionchange", "approvals.view_adjustmentrecord"),
    app="approvals",
    order=300,
    filename="function-changes",
)
def function_changes_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    start, end = dates.start, dates.end
    in_period = Q()
    for field in ("submitted_at", "decided_at", "implemented_at", "verified_at"):
        in_period |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    # Read only: the approvals selectors filter by person; a report covers every request.
    changes = (
        FunctionChange.objects.filter(in_period)
        .select_related("requester", "decided_by", "implemented_by", "verified_by")
        .order_by("submitted_at", "pk")
    )
    sheet = report.detail(
        _("Function changes"),
        [
            Column(_("Number"), 11),
            Column(_("Title"), 30),
            Column(_("Kind of change"), 20),
            Column(_("Target"), 22),
            Column(_("Risk"), 8),
            Column(_("Service will stop"), 10),
            Column(_("Planned start"), 17),
            Column(_("Requested by"), 12),
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
    statuses = Counter()
    for change in changes.iterator(chunk_size=2000):
        statuses[change.status] += 1
        sheet.append(
            [
                change.code,
                change.title,
                change.get_kind_display(),
                change.target_display,
                change.get_risk_level_display(),
                _("Yes") if change.service_interruption else _("No"),
                change.planned_start,
                _name(change.requester),
                change.get_status_display(),
                change.submitted_at,
                _name(change.decided_by),
                change.decided_at,
                change.decision_comment,
                _name(change.implemented_by),
                change.implemented_at,
                _name(change.verified_by),
                change.verified_at,
            ]
        )
    for status, label in FunctionChange.Status.choices:
        if statuses[status]:
            report.summary_row(_("Requests: %(status)s") % {"status": label}, statuses[status])

    records = report.detail(
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
        ],
    )
    kinds = Counter()
    adjustments = adjustment_record_list(date_from=dates.first, date_to=dates.last).order_by(
        "performed_at", "pk"
    )
    for record in adjustments.iterator(chunk_size=2000):
        kinds[record.get_kind_display()] += 1
        records.append(
            [
                record.code,
                record.performed_at,
                record.get_kind_display(),
                record.what,
                record.target_display,
                record.before_value,
                record.after_value,
                record.reason,
                _name(record.performed_by),
                record.request.code if record.request_id else "",
                record.get_source_display(),
            ]
        )
    by_kind = report.detail(
        _("Adjustments by kind"), [Column(_("Kind of change"), 24), Column(_("Adjustment records"), 12)]
    )
    for label, count in kinds.most_common():
        by_kind.append([label, count])
    by_kind.total([_("Total"), sum(kinds.values())])
