"""Sales-call quota reports: day results per rep (daily, weekly, monthly) and the fines statement."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from apps.accounts.models import Role, User
from apps.core.excel import Column
from apps.sales.selectors import month_statement, sales_reps, visible_reps

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter

MONEY = "#,##0.00"
PERMISSIONS = ("sales.view_dayresult", "sales.change_dayresult")


def _reps(report: ReportWriter, params: dict) -> list:
    """Everyone for a schedule; for a person, the reps they may see (their team, or all); then the chosen team."""
    reps = visible_reps(user=report.user) if report.user is not None else sales_reps()
    if params.get("team"):
        reps = reps.filter(supervisor_id=params["team"])
    return list(reps.select_related("department", "supervisor"))


def _supervisors():
    return User.objects.filter(groups__name=Role.SALES_SUPERVISOR, is_active=True).order_by("username")


class TeamField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class SalesForm(PeriodForm):
    team = TeamField(
        label=gettext_lazy("Team (supervisor)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("All teams"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _supervisors()


def _days(reps, first: datetime.date, last: datetime.date, today: datetime.date):
    """Yield (rep, day line) for every judged day from ``first`` to ``last`` (closed or live)."""
    if not reps:
        return
    month = first.replace(day=1)
    while month <= last:
        data = month_statement(reps=reps, month=month, today=min(last, today))
        for statement in data["statements"]:
            for line in statement["days"]:
                if first <= line["date"] <= last:
                    yield statement["rep"], line
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def _yes(value) -> str:
    return _("Yes") if value else _("No")


@register_kind(
    code="sales_results",
    label=gettext_lazy("Sales call results"),
    description=gettext_lazy(
        "Each rep's days: calls and customers against the standard, shortfalls and fines, with totals per rep."
    ),
    form=SalesForm,
    run_permissions=PERMISSIONS,
    app="sales",
    order=600,
    filename="sales-results",
)
def sales_results_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    reps = _reps(report, params)
    days = report.detail(
        _("Daily results"),
        [
            Column(_("Sales rep"), 14),
            Column(_("Username"), 12),
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
            Column(pgettext("quota day", "Closed"), 8),
        ],
    )
    keys = (
        "effective_calls",
        "counted_customers",
        "short_calls",
        "short_customers",
        "false_records",
        "fine_total",
    )
    totals: dict[int, dict] = {rep.pk: defaultdict(Decimal) for rep in reps}
    short_days = 0
    for rep, line in _days(reps, dates.first, dates.last, report.today):
        days.append(
            [
                rep.get_full_name(),
                rep.username,
                line["date"],
                _yes(line["working_day"]),
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
                _yes(line["closed"]),
            ]
        )
        rep_totals = totals[rep.pk]
        rep_totals["working_days"] += 1 if line["working_day"] else 0
        for key in keys:
            rep_totals[key] += line[key]
        short_days += 1 if (line["short_calls"] or line["short_customers"]) else 0

    per_rep = report.detail(
        _("Per rep"),
        [
            Column(_("Sales rep"), 14),
            Column(_("Username"), 12),
            Column(_("Department"), 14),
            Column(_("Working days"), 10),
            Column(_("Effective calls"), 10),
            Column(_("Counted customers"), 10),
            Column(_("Calls short"), 10),
            Column(_("Customers short"), 10),
            Column(_("False records"), 10),
            Column(_("Total fine (yuan)"), 12, MONEY),
        ],
    )
    grand = defaultdict(Decimal)
    for rep in reps:
        rep_totals = totals[rep.pk]
        values = [int(rep_totals["working_days"])] + [rep_totals[k] for k in keys]
        per_rep.append(
            [rep.get_full_name(), rep.username, rep.department.name if rep.department else "", *values[:-1]]
            + [values[-1]]
        )
        for key, value in zip(("working_days", *keys), values, strict=True):
            grand[key] += value
    per_rep.total(
        [_("Total"), "", "", int(grand["working_days"])]
        + [int(grand[k]) for k in keys[:-1]]
        + [grand["fine_total"]]
    )
    report.summary_row(_("Sales reps"), len(reps))
    report.summary_row(_("Days short of the standard"), short_days)
    report.summary_row(_("Total fine (yuan)"), grand["fine_total"])


class MonthForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Month"),
        choices=[("last_month", gettext_lazy("Last month")), ("this_month", gettext_lazy("This month"))],
        initial="last_month",
    )
    team = SalesForm.base_fields["team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = _supervisors()


@register_kind(
    code="sales_fines",
    label=gettext_lazy("Monthly fines statement"),
    description=gettext_lazy("Per rep: shortfalls, false records and fines of the month, for payroll."),
    form=MonthForm,
    run_permissions=PERMISSIONS,
    app="sales",
    order=610,
    filename="sales-fines",
)
def sales_fines_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    reps = _reps(report, params)
    statement = report.detail(
        _("Fines per rep"),
        [
            Column(_("Sales rep"), 14),
            Column(_("Username"), 12),
            Column(_("Department"), 14),
            Column(_("Working days"), 10),
            Column(_("Calls short"), 10),
            Column(_("Customers short"), 10),
            Column(_("False records"), 10),
            Column(_("Shortfall fine (yuan)"), 12, MONEY),
            Column(_("False-record fine (yuan)"), 12, MONEY),
            Column(_("Total fine (yuan)"), 12, MONEY),
        ],
    )
    fined = report.detail(
        _("Fined days"),
        [
            Column(_("Sales rep"), 14),
            Column(_("Date"), 12),
            Column(_("Calls short"), 10),
            Column(_("Customers short"), 10),
            Column(_("False records"), 10),
            Column(_("Shortfall fine (yuan)"), 12, MONEY),
            Column(_("False-record fine (yuan)"), 12, MONEY),
            Column(_("Total fine (yuan)"), 12, MONEY),
        ],
    )
    keys = ("short_calls", "short_customers", "false_records", "fine_shortfall", "fine_false", "fine_total")
    totals: dict[int, dict] = {rep.pk: defaultdict(Decimal) for rep in reps}
    for rep, line in _days(reps, dates.first, dates.last, report.today):
        for key in keys:
            totals[rep.pk][key] += line[key]
        totals[rep.pk]["working_days"] += 1 if line["working_day"] else 0
        if line["fine_total"]:
            fined.append([rep.get_full_name(), line["date"], *(line[k] for k in keys)])
    grand = defaultdict(Decimal)
    for rep in reps:
        row = totals[rep.pk]
        statement.append(
            [
                rep.get_full_name(),
                rep.username,
                rep.department.name if rep.department else "",
                int(row["working_days"]),
                int(row["short_calls"]),
                int(row["short_customers"]),
                int(row["false_records"]),
                row["fine_shortfall"],
                row["fine_false"],
                row["fine_total"],
            ]
        )
        for key in keys:
            grand[key] += row[key]
    statement.total(
        [_("Total"), "", "", ""]
        + [int(grand[k]) for k in keys[:3]]
        + [grand["fine_shortfall"], grand["fine_false"], grand["fine_total"]]
    )
    report.summary_row(_("Sales reps"), len(reps))
    report.summary_row(_("Total fine (yuan)"), grand["fine_total"])
