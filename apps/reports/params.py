"""Parameters that many kinds share: a period, relative for schedules or with fixed dates."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PERIOD_CHOICES = [
    ("yesterday", _("Yesterday")),
    ("today", _("Today")),
    ("last_week", _("Last week (Monday to Sunday)")),
    ("this_week", _("This week")),
    ("last_month", _("Last month")),
    ("this_month", _("This month")),
    ("last_7_days", _("Last 7 days")),
    ("last_30_days", _("Last 30 days")),
    ("custom", _("Dates below")),
]


class PeriodForm(forms.Form):
    """A period relative to the day the report is made (so schedules stay current), or fixed dates."""

    period = forms.ChoiceField(
        label=pgettext_lazy("report parameter", "Period"), choices=PERIOD_CHOICES, initial="yesterday"
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if not start:
                self.add_error("date_from", _("Give the first day of the period."))
            if not end:
                self.add_error("date_to", _("Give the last day of the period."))
            if start and end and start > end:
                self.add_error("date_to", _("The last day cannot be before the first day."))
        else:
            data.pop("date_from", None)
            data.pop("date_to", None)
        return data


@dataclass(frozen=True)
class DateRange:
    first: datetime.date
    last: datetime.date

    @property
    def start(self) -> datetime.datetime:
        """The first moment of the period, aware, in the local time zone."""
        return timezone.make_aware(datetime.datetime.combine(self.first, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min)
        )

    def __str__(self):
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def period_resolve(params: dict, *, today: datetime.date) -> DateRange:
    """Return the dates the period parameters stand for, counted from ``today``."""
    period = params.get("period") or "yesterday"
    one = datetime.timedelta(days=1)
    if period == "custom":
        return DateRange(
            datetime.date.fromisoformat(params["date_from"]), datetime.date.fromisoformat(params["date_to"])
        )
    if period == "today":
        return DateRange(today, today)
    if period == "this_week":
        monday = today - datetime.timedelta(days=today.weekday())
        return DateRange(monday, today)
    if period == "last_week":
        monday = today - datetime.timedelta(days=today.weekday() + 7)
        return DateRange(monday, monday + datetime.timedelta(days=6))
    if period == "this_month":
        return DateRange(_month_start(today), today)
    if period == "last_month":
        last = _month_start(today) - one
        return DateRange(_month_start(last), last)
    if period == "last_7_days":
        return DateRange(today - datetime.timedelta(days=7), today - one)
    if period == "last_30_days":
        return DateRange(today - datetime.timedelta(days=30), today - one)
    return DateRange(today - one, today - one)
