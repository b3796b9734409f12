"""The front-desk phone: calls and callbacks, with the rates the regulations ask for."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.excel import Column
from apps.frontdesk.models import PROMPT_RINGS
from apps.frontdesk.selectors import call_list, figures

from ..params import PeriodForm
from ..registry import register_kind
from ..writer import ReportWriter

PERCENT = "0.0"


def _name(user) -> str:
    return user.get_full_name() if user else ""


def _yes(value) -> str:
    return _("Yes") if value else _("No")


@register_kind(
    code="frontdesk_calls",
    label=gettext_lazy("Front-desk calls and callbacks"),
    description=gettext_lazy(
        "Every call answered in the period, callbacks and their deadlines; answered within three rings "
        "and callbacks on time, per line and per person."
    ),
    form=PeriodForm,
    run_permissions=("frontdesk.view_call", "frontdesk.view_figures"),
    app="frontdesk",
    order=400,
    filename="frontdesk-calls",
)
def frontdesk_calls_report(report: ReportWriter, params: dict) -> None:
    dates = report.period(params)
    calls = call_list(day_from=dates.first, day_to=dates.last).order_by("answered_at", "pk")
    sheet = report.detail(
        _("Calls"),
        [
            Column(_("Answered at"), 17),
            Column(_("Line"), 14),
            Column(_("Answered by"), 10),
            Column(_("Rings"), 6),
            Column(_("Within three rings"), 8),
            Column(_("Caller"), 10),
            Column(_("Caller number"), 14),
            Column(_("Kind"), 10),
            Column(_("What the caller wants"), 30),
            Column(_("Repeated back"), 8),
            Column(_("Outcome"), 10),
            Column(_("May answer this line"), 8),
            Column(_("Call back by"), 17),
            Column(_("Called back at"), 17),
            Column(_("Called back on time"), 8),
        ],
    )
    for call in calls.iterator(chunk_size=2000):
        callback = getattr(call, "callback", None)
        on_time = ""
        if callback is not None and callback.done_at:
            on_time = _yes(callback.done_at <= callback.due_at)
        sheet.append(
            [
                call.answered_at,
                call.line.number,
                _name(call.answered_by),
                call.rings,
                _yes(call.rings <= PROMPT_RINGS),
                call.caller_name,
                call.caller_number,
                call.get_kind_display(),
                call.request,
                _yes(call.confirmed),
                call.get_outcome_display(),
                _yes(call.answerer_allowed),
                callback.due_at if callback else None,
                callback.done_at if callback else None,
                on_time,
            ]
        )
    numbers = figures(start=dates.start, end=dates.end)
    total = numbers.total
    report.summary_row(_("Calls"), total.calls)
    report.summary_row(_("Answered within three rings (%)"), total.prompt_share)
    report.summary_row(_("Repeated back and confirmed (%)"), total.confirmed_share)
    report.summary_row(_("Callbacks settled"), total.callbacks)
    report.summary_row(_("Callbacks on time (%)"), total.on_time_share)
    report.summary_row(_("Answered by someone not allowed"), total.not_allowed)
    columns = [
        Column(_("Calls"), 8),
        Column(_("Answered within three rings (%)"), 12, PERCENT),
        Column(_("Repeated back and confirmed (%)"), 12, PERCENT),
        Column(_("Callbacks settled"), 10),
        Column(_("Callbacks on time (%)"), 12, PERCENT),
        Column(_("Answered by someone not allowed"), 10),
    ]
    for title, first, rows in (
        (_("Per line"), Column(_("Line"), 24), numbers.by_line),
        (_("Per person"), Column(_("Answered by"), 14), numbers.by_person),
    ):
        part = report.detail(title, [first, *columns])
        for row in rows:
            part.append(
                [
                    row.label,
                    row.calls,
                    row.prompt_share,
                    row.confirmed_share,
                    row.callbacks,
                    row.on_time_share,
                    row.not_allowed,
                ]
            )
