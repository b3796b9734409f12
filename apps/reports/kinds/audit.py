"""The audit trail: every recorded change, who made it and when."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from apps.core.excel import Column

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter

ACTIONS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit action", "Created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit action", "Changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit action", "Deleted"),
    LogEntry.Action.ACCESS: pgettext_lazy("audit action", "Event"),
}


def _changes_text(changes, fallback: str) -> str:
    if not isinstance(changes, dict):
        return fallback or ""
    parts = []
    for name, values in changes.items():
        if isinstance(values, list | tuple) and len(values) == 2:
            parts.append(f"{name}: {values[0]} → {values[1]}")
        else:
            parts.append(f"{name}: {values}")
    return "; ".join(parts)


def _model_label(content_type_id: int, cache: dict) -> str:
    if content_type_id not in cache:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        cache[content_type_id] = str(model._meta.verbose_name) if model else str(content_type_id)
    return cache[content_type_id]


@register_kind(
    code="audit",
    label=gettext_lazy("Audit trail"),
    description=gettext_lazy(
        "Every recorded change in the period: who, when, what and the values before and after."
    ),
    form=PeriodForm,
    run_permissions=("auditlog.view_logentry",),
    app="core",
    order=910,
    filename="audit-trail",
)
def audit_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    entries = LogEntry.objects.filter(timestamp__gte=dates.start, timestamp__lt=dates.end)
    sheet = report.detail(
        pgettext("report sheet", "Changes"),
        [
            Column(_("Time"), 18),
            Column(_("By"), 14),
            Column(_("Record type"), 16),
            Column(_("Record"), 30),
            Column(_("Action"), 8),
            Column(_("Changed values"), 80),
            Column(_("Address"), 15),
        ],
    )
    labels: dict = {}
    rows = (
        entries.order_by("timestamp", "pk")
        .values_list(
            "timestamp",
            "actor__name",
            "actor__username",
            "content_type_id",
            "object_repr",
            "action",
            "changes",
            "changes_text",
            "remote_addr",
        )
        .iterator(chunk_size=5000)
    )
    for timestamp, name, username, ct, record, action, changes, changes_text, address in rows:
        sheet.append(
            [
                timestamp,
                name or username or _("system"),
                _model_label(ct, labels),
                record,
                str(ACTIONS.get(action, action)),
                _changes_text(changes, changes_text),
                address,
            ]
        )
    by_action = dict(entries.values_list("action").annotate(n=Count("pk")).values_list("action", "n"))
    for action, label in ACTIONS.items():
        report.summary_row(label, by_action.get(action, 0))

    by_type = report.detail(
        _("By record type"), [Column(_("Record type"), 24), Column(_("Number of changes"), 10)]
    )
    total = 0
    for ct, count in (
        entries.values_list("content_type_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("content_type_id", "n")
    ):
        by_type.append([_model_label(ct, labels), count])
        total += count
    by_type.total([_("Total"), total])
