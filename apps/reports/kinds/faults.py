"""Faults and MTTR; equipment-room inspections and the access log."""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from apps.core.excel import Column
from apps.faults.models import Cause, Fault
from apps.faults.selectors import access_entry_list, fault_visible_to, inspection_round_list

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter


def _name(user) -> str:
    return user.get_full_name() if user else ""


def _minutes(start, end):
    return round((end - start).total_seconds() / 60, 1) if start and end else None


def _mean(values):
    return round(sum(values) / len(values), 1) if values else None


@register_kind(
    code="faults",
    label=gettext_lazy("Faults and MTTR"),
    description=gettext_lazy(
        "Faults reported in the period with their response and restore times; mean times by cause."
    ),
    form=PeriodForm,
    run_permissions=("faults.view_fault",),
    app="faults",
    order=200,
    filename="faults",
)
def faults_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    faults = fault_visible_to(report.user) if report.user is not None else Fault.objects.all()
    faults = (
        faults.filter(reported_at__gte=dates.start, reported_at__lt=dates.end)
        .select_related("reporter", "assignee")
        .order_by("reported_at", "pk")
    )
    sheet = report.detail(
        _("Faults"),
        [
            Column(_("Fault number"), 12),
            Column(_("Reported at"), 17),
            Column(_("Affected item"), 10),
            Column(pgettext("fault report column", "Item"), 14),
            Column(_("Symptom"), 30),
            Column(_("Severity"), 8),
            Column(_("Reported by"), 12),
            Column(_("Status"), 10),
            Column(_("Acknowledged at"), 17),
            Column(_("Restored at"), 17),
            Column(_("Minutes to acknowledge"), 10, "0.0"),
            Column(_("Minutes to restore"), 10, "0.0"),
            Column(_("Cause"), 12),
            Column(_("Handled by"), 12),
            Column(_("Closing note"), 30),
        ],
    )
    ack, restore = [], []
    by_cause = defaultdict(list)
    open_count = 0
    for fault in faults.iterator(chunk_size=2000):
        to_ack = _minutes(fault.reported_at, fault.acknowledged_at)
        to_restore = _minutes(fault.reported_at, fault.restored_at)
        if to_ack is not None:
            ack.append(to_ack)
        if to_restore is not None:
            restore.append(to_restore)
        if fault.cause:
            by_cause[fault.cause].append(to_restore)
        open_count += fault.status in Fault.OPEN_STATUSES
        sheet.append(
            [
                fault.number,
                fault.reported_at,
                fault.get_item_kind_display(),
                fault.item,
                fault.symptom,
                fault.get_severity_display(),
                _name(fault.reporter),
                fault.get_status_display(),
                fault.acknowledged_at,
                fault.restored_at,
                to_ack,
                to_restore,
                fault.get_cause_display() if fault.cause else "",
                _name(fault.assignee),
                fault.resolution,
            ]
        )
    report.summary_row(_("Faults reported"), sheet.rows)
    report.summary_row(_("Still open"), open_count)
    report.summary_row(_("Mean minutes to acknowledge"), _mean(ack))
    report.summary_row(_("Mean minutes to restore (MTTR)"), _mean(restore))
    causes = report.detail(
        _("By cause"),
        [
            Column(_("Cause"), 16),
            Column(_("Faults"), 8),
            Column(_("Mean minutes to restore (MTTR)"), 14, "0.0"),
        ],
    )
    for cause, label in Cause.choices:
        if cause in by_cause:
            restored = [m for m in by_cause[cause] if m is not None]
            causes.append([str(label), len(by_cause[cause]), _mean(restored)])
    causes.total([_("Total"), sum(len(v) for v in by_cause.values()), None])


@register_kind(
    code="inspections_access",
    label=gettext_lazy("Inspections and access log"),
    description=gettext_lazy(
        "Equipment-room inspection rounds of the period and who entered the room, when and why."
    ),
    form=PeriodForm,
    run_permissions=("faults.view_inspectionround", "faults.view_accessentry"),
    app="faults",
    order=210,
    filename="inspections-access",
)
def inspections_access_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    rounds = (
        inspection_round_list()
        .filter(performed_at__gte=dates.start, performed_at__lt=dates.end)
        .order_by("performed_at", "pk")
    )
    sheet = report.detail(
        _("Inspection rounds"),
        [
            Column(_("Checklist"), 20),
            Column(_("For the period starting"), 12),
            Column(_("Inspector"), 12),
            Column(_("Done at"), 17),
            Column(_("Abnormal items"), 10),
            Column(_("Notes"), 30),
        ],
    )
    abnormal = 0
    for round_ in rounds:
        abnormal += round_.abnormal_count
        sheet.append(
            [
                round_.template.name,
                round_.slot,
                _name(round_.inspector),
                round_.performed_at,
                round_.abnormal_count,
                round_.notes,
            ]
        )
    entries = (
        access_entry_list()
        .filter(entered_at__gte=dates.start, entered_at__lt=dates.end)
        .order_by("entered_at", "pk")
    )
    log = report.detail(
        _("Access log"),
        [
            Column(pgettext("report column", "Name"), 12),
            Column(_("Organisation"), 16),
            Column(_("Purpose"), 30),
            Column(_("Equipment-room staff"), 10),
            Column(_("Escorted by"), 12),
            Column(_("Time in"), 17),
            Column(_("Time out"), 17),
        ],
    )
    visitors = 0
    for entry in entries.iterator(chunk_size=2000):
        visitors += not entry.room_staff
        log.append(
            [
                entry.person_name,
                entry.organisation,
                entry.purpose,
                _("Yes") if entry.room_staff else _("No"),
                _name(entry.escort),
                entry.entered_at,
                entry.left_at,
            ]
        )
    report.summary_row(_("Inspection rounds"), sheet.rows)
    report.summary_row(_("Abnormal items"), abnormal)
    report.summary_row(_("Entries to the room"), log.rows)
    report.summary_row(_("Entries by people who are not room staff"), visitors)
