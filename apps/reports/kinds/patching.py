"""The patch table: the distribution table (now or at a past date) and the jumper-change history."""

import datetime
from collections import Counter

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Department
from apps.core.excel import Column
from apps.patching.models import PatchEvent
from apps.patching.selectors import EXCEL_COLUMNS, distribution_table, jumper_history

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter

WIDTHS = {"user": 12, "department": 14, "outlet": 14, "port": 16, "notes": 24, "floor": 8, "building": 8}


class DistributionForm(forms.Form):
    building = forms.CharField(label=gettext_lazy("Building"), max_length=20, required=False)
    floor = forms.IntegerField(label=gettext_lazy("Floor"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    at = forms.DateField(
        label=gettext_lazy("As it stood at the end of"),
        required=False,
        help_text=gettext_lazy("Leave empty for the table as it is now."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at and at > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return at


def _headers() -> list[str]:
    english = (translation.get_language() or "").startswith("en")
    return [en if english else zh for _key, zh, en in EXCEL_COLUMNS]


@register_kind(
    code="distribution_table",
    label=gettext_lazy("Distribution table"),
    description=gettext_lazy(
        "One row per extension (and per spare outlet) with its whole path, now or as it stood at a past date."
    ),
    form=DistributionForm,
    run_permissions=("patching.view_extension", "patching.view_jumper"),
    app="patching",
    order=100,
    filename="distribution-table",
)
def distribution_table_report(report: ReportWriter, params: dict) -> None:
    filters = {k: params[k] for k in ("building", "floor", "department") if params.get(k) not in (None, "")}
    at = None
    if params.get("at"):
        day = datetime.date.fromisoformat(params["at"])
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    sheet = report.detail(
        _("Distribution table"),
        [
            Column(header, WIDTHS.get(key, 18))
            for (key, _zh, _en), header in zip(EXCEL_COLUMNS, _headers(), strict=True)
        ],
    )
    extensions = spare = incomplete = 0
    for row in distribution_table(filters=filters, at=at):
        sheet.append([row[key] for key, _zh, _en in EXCEL_COLUMNS])
        if row.get("kind") == "spare":
            spare += 1
        else:
            extensions += 1
            incomplete += 0 if row.get("complete", True) else 1
    report.summary_row(_("Extensions"), extensions)
    report.summary_row(_("Spare outlets"), spare)
    report.summary_row(_("Extensions with no complete path"), incomplete)


class HistoryForm(PeriodForm):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"),
        choices=[("", gettext_lazy("All actions")), *PatchEvent.Action.choices],
        required=False,
    )


@register_kind(
    code="jumper_history",
    label=gettext_lazy("Jumper-change history"),
    description=gettext_lazy(
        "Every change to the patch table in the period: who, when, which terminals, why, and the order it belongs to."
    ),
    form=HistoryForm,
    run_permissions=("patching.view_patchevent",),
    app="patching",
    order=110,
    filename="jumper-history",
)
def jumper_history_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    events = (
        jumper_history(since=dates.start, action=params.get("action") or None)
        .filter(at__lt=dates.end)
        .order_by("at", "pk")
    )
    actions = dict(PatchEvent.Action.choices)
    sheet = report.detail(
        _("Jumper changes"),
        [
            Column(_("Time"), 17),
            Column(_("By"), 12),
            Column(_("Action"), 12),
            Column(_("End A"), 18),
            Column(_("End B"), 18),
            Column(_("Extension"), 10),
            Column(_("Reason"), 30),
            Column(_("Order or fault"), 16),
        ],
    )
    by_action: Counter = Counter()
    by_person: Counter = Counter()
    rows = events.values_list(
        "at",
        "actor__name",
        "actor__username",
        "action",
        "a_designation",
        "b_designation",
        "extension_number",
        "reason",
        "reference",
    ).iterator(chunk_size=5000)
    for at, name, username, action, a, b, extension, reason, reference in rows:
        who = name or username or _("system")
        by_action[action] += 1
        by_person[who] += 1
        sheet.append([at, who, str(actions.get(action, action)), a, b, extension, reason, reference])
    for action, label in PatchEvent.Action.choices:
        if by_action[action]:
            report.summary_row(label, by_action[action])
    people = report.detail(_("Per person"), [Column(_("By"), 16), Column(_("Number of changes"), 10)])
    for who, count in by_person.most_common():
        people.append([who, count])
    people.total([_("Total"), sum(by_person.values())])
