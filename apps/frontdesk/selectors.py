"""Reads of the front-desk phone: lists, the callback board and the figures."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_date

from .models import PROMPT_RINGS, Call, Callback, Line, UseRequest


def parse_day(value: str | None) -> datetime.date | None:
    """Return the date in a YYYY-MM-DD query parameter, or None when it is missing or not a real date."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def line_list(*, active_only: bool = False) -> QuerySet[Line]:
    lines = Line.objects.all().order_by("number")
    return lines.filter(is_active=True) if active_only else lines


def call_list(
    *,
    line: Line | int | None = None,
    day_from: datetime.date | None = None,
    day_to: datetime.date | None = None,
    kind: str = "",
    outcome: str = "",
    answered_by=None,
    not_allowed_only: bool = False,
) -> QuerySet[Call]:
    """Return calls newest first, with what a list needs to show each row."""
    calls = Call.objects.select_related("line", "answered_by", "callback").order_by("-answered_at", "-pk")
    if line:
        calls = calls.filter(line=line)
    if day_from:
        calls = calls.filter(answered_at__gte=_day_start(day_from))
    if day_to:
        calls = calls.filter(answered_at__lt=_day_start(day_to + datetime.timedelta(days=1)))
    if kind:
        calls = calls.filter(kind=kind)
    if outcome:
        calls = calls.filter(outcome=outcome)
    if answered_by is not None:
        calls = calls.filter(answered_by=answered_by)
    if not_allowed_only:
        calls = calls.filter(answerer_allowed=False)
    return calls


class CallbackState:
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"
    OPEN = "open"
    ALL = "all"


def callback_list(
    *, state: str = CallbackState.OPEN, now: datetime.datetime | None = None
) -> QuerySet[Callback]:
    """Return callbacks: open (due and overdue, soonest first), due, overdue, done (latest first) or all."""
    now = now or timezone.now()
    callbacks = Callback.objects.select_related("call__line", "call__answered_by", "done_by")
    if state == CallbackState.DUE:
        return callbacks.filter(done_at__isnull=True, due_at__gte=now).order_by("due_at", "pk")
    if state == CallbackState.OVERDUE:
        return callbacks.filter(done_at__isnull=True, due_at__lt=now).order_by("due_at", "pk")
    if state == CallbackState.DONE:
        return callbacks.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    if state == CallbackState.OPEN:
        return callbacks.filter(done_at__isnull=True).order_by("due_at", "pk")
    return callbacks.order_by("-due_at", "-pk")


def callback_counts(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Return how many open callbacks are still due and how many are overdue."""
    now = now or timezone.now()
    return Callback.objects.filter(done_at__isnull=True).aggregate(
        due=Count("pk", filter=Q(due_at__gte=now)), overdue=Count("pk", filter=Q(due_at__lt=now))
    )


def use_request_list(*, user, status: str = "") -> QuerySet[UseRequest]:
    """Return personal-use requests: all of them for those who may see all, else the user's own."""
    requests = UseRequest.objects.select_related("requester", "line", "decided_by").order_by(
        "-wanted_at", "-pk"
    )
    if not user.has_perm("frontdesk.view_userequest"):
        requests = requests.filter(requester=user)
    if status:
        requests = requests.filter(status=status)
    return requests


def use_request_pending_count(*, user) -> int:
    """Return how many requests wait for a decision that ``user`` may take (not their own)."""
    return UseRequest.objects.filter(status=UseRequest.Status.PENDING).exclude(requester=user).count()


# Figures ---------------------------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_range(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return _day_start(day), _day_start(day + datetime.timedelta(days=1))


def month_range(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return _day_start(first), _day_start(following)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class FigureRow:
    key: int | None
    label: str
    calls: int
    prompt: int
    confirmed: int
    callbacks: int
    callbacks_on_time: int
    not_allowed: int

    @property
    def prompt_share(self) -> float | None:
        return _share(self.prompt, self.calls)

    @property
    def confirmed_share(self) -> float | None:
        return _share(self.confirmed, self.calls)

    @property
    def on_time_share(self) -> float | None:
        return _share(self.callbacks_on_time, self.callbacks)


@dataclass
class Figures:
    start: datetime.datetime
    end: datetime.datetime
    by_line: list[FigureRow]
    by_person: list[FigureRow]
    total: FigureRow
    by_day: list[FigureRow]


def _counts(now):
    # A callback counts once it is settled: made, or past its deadline without being made.
    return {
        "calls": Count("pk"),
        "prompt": Count("pk", filter=Q(rings__lte=PROMPT_RINGS)),
        "confirmed": Count("pk", filter=Q(confirmed=True)),
        "callbacks": Count(
            "callback", filter=Q(callback__done_at__isnull=False) | Q(callback__due_at__lt=now)
        ),
        "callbacks_on_time": Count("callback", filter=Q(callback__done_at__lte=F("callback__due_at"))),
        "not_allowed": Count("pk", filter=Q(answerer_allowed=False)),
    }


def _row(key, label, values) -> FigureRow:
    return FigureRow(
        key=key,
        label=label,
        **{name: values[name] or 0 for name in _counts(None)},
    )


def figures(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
    by_day: bool = False,
) -> Figures:
    """Return calls, share answered within three rings, share confirmed back and callbacks on time.

    Grouped per line and per person (and per local day when ``by_day``) for calls answered
    in [start, end). The on-time share counts settled callbacks only: made, or already past
    their deadline.
    """
    now = now or timezone.now()
    calls = Call.objects.filter(answered_at__gte=start, answered_at__lt=end)
    counts = _counts(now)
    by_line = [
        _row(v["line_id"], f"{v['line__number']} {v['line__name']}", v)
        for v in calls.values("line_id", "line__number", "line__name")
        .annotate(**counts)
        .order_by("line__number")
    ]
    by_person = [
        _row(v["answered_by_id"], v["answered_by__name"] or v["answered_by__username"], v)
        for v in calls.values("answered_by_id", "answered_by__name", "answered_by__username")
        .annotate(**counts)
        .order_by("answered_by__name", "answered_by__username")
    ]
    days = []
    if by_day:
        days = [
            _row(None, v["day"].isoformat(), v)
            for v in calls.annotate(day=TruncDate("answered_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(**counts)
            .order_by("day")
        ]
    total = _row(None, "", calls.aggregate(**counts))
    return Figures(start=start, end=end, by_line=by_line, by_person=by_person, total=total, by_day=days)
