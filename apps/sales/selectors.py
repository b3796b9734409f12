import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.core.calendar import WorkCalendar, month_bounds

from .models import Absence, CalendarDay, Call, DayResult, FollowUp, RuleSet, WeeklyPlan, WorkRecord
from .quota import CONVERSATION, COUNTED_CATEGORIES, CallFact, FollowUpTally, QuotaResult, quota_compute

DEFAULT_RULE_SET = RuleSet(effective_from=datetime.date(2000, 1, 1))


# Rules and calendar ---------------------------------------------------------------------


def rule_set_for(*, day: datetime.date) -> RuleSet:
    """Return the rule set in force on ``day`` (the defaults when none is recorded)."""
    rule_set = RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    return rule_set or DEFAULT_RULE_SET


def rule_sets_by_day(*, start: datetime.date, end: datetime.date) -> dict[datetime.date, RuleSet]:
    """Return the rule set of every day from ``start`` to ``end`` in one query."""
    rule_sets = list(RuleSet.objects.filter(Q(effective_from__lte=end)).order_by("effective_from"))
    result = {}
    day = start
    while day <= end:
        current = DEFAULT_RULE_SET
        for rule_set in rule_sets:
            if rule_set.effective_from <= day:
                current = rule_set
        result[day] = current
        day += datetime.timedelta(days=1)
    return result


def work_calendar(*, start: datetime.date | None = None, end: datetime.date | None = None) -> WorkCalendar:
    """Return the work calendar with the exceptions an administrator recorded."""
    days = CalendarDay.objects.all()
    if start:
        days = days.filter(date__gte=start)
    if end:
        days = days.filter(date__lte=end)
    return WorkCalendar(exceptions=dict(days.values_list("date", "is_working")))


# Who sees whom --------------------------------------------------------------------------


def sales_reps() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.SALES_REP, is_active=True).distinct().order_by("username")


def can_see_all(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.ADMINISTRATOR)


def is_supervisor(user: User) -> bool:
    return user.has_role(Role.SALES_SUPERVISOR) or can_see_all(user)


def visible_reps(*, user: User) -> QuerySet[User]:
    """Return the reps whose sales records ``user`` may see: all, their team, or themselves."""
    if can_see_all(user):
        return sales_reps()
    if user.has_role(Role.SALES_SUPERVISOR):
        return sales_reps().filter(supervisor=user)
    return User.objects.filter(pk=user.pk)


def supervises(*, user: User, rep: User) -> bool:
    """Return whether ``user`` may decide for ``rep`` (their supervisor, or an administrator)."""
    if user.pk == rep.pk:
        return False
    if can_see_all(user):
        return True
    return user.has_role(Role.SALES_SUPERVISOR) and rep.supervisor_id == user.pk


def rep_get_visible(*, user: User, username: str | None) -> User:
    """Return the rep named ``username`` (or ``user`` itself) if ``user`` may see them."""
    if not username or username == user.username:
        return user
    rep = visible_reps(user=user).filter(username=username).first()
    if rep is None:
        raise PermissionDenied
    return rep


# The quota day --------------------------------------------------------------------------


def quota_days_evaluate(
    *,
    reps: list[User],
    day: datetime.date,
    rule_set: RuleSet | None = None,
    calendar: WorkCalendar | None = None,
) -> dict[int, QuotaResult]:
    """Judge ``day`` for every rep in ``reps`` with a constant number of queries.

    Calls are counted in the database (grouped by rep); follow-up records, a few
    dozen per rep and day, are read as rows.
    """
    rule_set = rule_set or rule_set_for(day=day)
    rules = rule_set.as_rules()
    calendar = calendar or work_calendar(start=day, end=day)
    rep_ids = [rep.pk for rep in reps]
    call_counts = {
        row["rep_id"]: row
        for row in Call.objects.filter(rep_id__in=rep_ids, date=day)
        .values("rep_id")
        .annotate(
            effective=Count("pk", filter=Q(outcome=CONVERSATION, talk_seconds__gte=rules.min_talk_seconds)),
            too_short=Count("pk", filter=Q(outcome=CONVERSATION, talk_seconds__lt=rules.min_talk_seconds)),
            other=Count("pk", filter=~Q(outcome=CONVERSATION)),
        )
        .order_by()
    }
    # A record counts when it was complete and first for its number that day: save time sets
    # counted_phone under a unique constraint, so counting it here is the same rule.
    complete = (
        ~Q(contact_person="")
        & ~Q(company_name="")
        & ~Q(phone_normalised="")
        & ~Q(content="")
        & Q(category__in=COUNTED_CATEGORIES)
    )
    tallies = {
        row["rep_id"]: FollowUpTally(
            counted=row["counted"],
            incomplete=row["incomplete"],
            repeated=row["repeated"],
            false_records=row["false_records"],
        )
        for row in FollowUp.objects.filter(rep_id__in=rep_ids, date=day)
        .values("rep_id")
        .annotate(
            counted=Count("pk", filter=Q(counted_phone__isnull=False)),
            false_records=Count("pk", filter=Q(is_false=True)),
            incomplete=Count("pk", filter=Q(is_false=False) & ~complete),
            repeated=Count("pk", filter=Q(is_false=False, counted_phone__isnull=True) & complete),
        )
        .order_by()
    }
    hours = dict(
        Absence.objects.filter(rep_id__in=rep_ids, date=day, status=Absence.Status.APPROVED)
        .values("rep_id")
        .annotate(total=Sum("hours"))
        .order_by()
        .values_list("rep_id", "total")
    )
    results = {}
    for rep in reps:
        counts = call_counts.get(rep.pk, {"effective": 0, "too_short": 0, "other": 0})
        calls = [
            CallFact(CONVERSATION, rules.min_talk_seconds, counts["effective"]),
            CallFact(CONVERSATION, 0, counts["too_short"]),
            CallFact("other", 0, counts["other"]),
        ]
        results[rep.pk] = quota_compute(
            day=day,
            rules=rules,
            hire_date=rep.hire_date,
            calls=calls,
            follow_ups=tallies.get(rep.pk, FollowUpTally()),
            absence_hours=hours.get(rep.pk) or Decimal(0),
            calendar=calendar,
        )
    return results


def quota_day_live(*, rep: User, day: datetime.date) -> QuotaResult:
    return quota_days_evaluate(reps=[rep], day=day)[rep.pk]


def quota_day_get(*, rep: User, day: datetime.date) -> DayResult | None:
    return DayResult.objects.filter(rep=rep, date=day).first()


def day_progress(*, rep: User, day: datetime.date, now: datetime.datetime | None = None) -> dict:
    """Return what the rep's progress page shows: the live result, the closed one, time left."""
    now = timezone.localtime(now)
    stored = quota_day_get(rep=rep, day=day)
    rule_set = (stored.rule_set if stored and stored.rule_set_id else None) or rule_set_for(day=day)
    if stored is not None and stored.is_closed:
        result = stored_result(stored)  # a closed day shows what was frozen, not a recount
    else:
        result = quota_days_evaluate(reps=[rep], day=day, rule_set=rule_set)[rep.pk]
    end_of_work = timezone.make_aware(datetime.datetime.combine(day, rule_set.end_of_work))
    seconds_left = max(0, int((end_of_work - now).total_seconds())) if day == now.date() else 0
    return {
        "day": day,
        "result": result,
        "stored": stored,
        "rules": rule_set,
        "end_of_work": end_of_work,
        "time_left": datetime.timedelta(seconds=seconds_left),
        "after_end_of_work": now >= end_of_work,
        "calls_percent": _percent(result.effective_calls, result.required_calls),
        "customers_percent": _percent(result.counted_customers, result.required_customers),
    }


def stored_result(stored: DayResult) -> QuotaResult:
    """Return a closed day's frozen figures in the shape of a live result."""
    return QuotaResult(
        working_day=stored.working_day,
        new_employee=stored.new_employee,
        required_calls=stored.required_calls,
        required_customers=stored.required_customers,
        effective_calls=stored.effective_calls,
        counted_customers=stored.counted_customers,
        short_calls=stored.short_calls,
        short_customers=stored.short_customers,
        false_records=stored.false_records,
        fine_shortfall=stored.fine_shortfall,
        fine_false=stored.fine_false,
        reasons=list(stored.reasons),
    )


def _percent(done: int, required: int) -> int:
    if required <= 0:
        return 100
    return min(100, round(100 * done / required))


def team_board(*, supervisor: User, day: datetime.date, now: datetime.datetime | None = None) -> dict:
    """Return the live board of ``supervisor``'s team: one row per rep, behind ones first."""
    now = timezone.localtime(now)
    reps = list(visible_reps(user=supervisor).exclude(pk=supervisor.pk))
    rule_set = rule_set_for(day=day)
    frozen = {r.rep_id: r for r in DayResult.objects.filter(rep__in=reps, date=day, is_closed=True)}
    open_reps = [rep for rep in reps if rep.pk not in frozen]
    results = quota_days_evaluate(reps=open_reps, day=day, rule_set=rule_set) if open_reps else {}
    results.update({rep_id: stored_result(stored) for rep_id, stored in frozen.items()})
    closed = set(frozen)
    end_of_work = timezone.make_aware(datetime.datetime.combine(day, rule_set.end_of_work))
    after_end = now >= end_of_work or day < now.date()
    records = set(WorkRecord.objects.filter(rep__in=reps, date=day).values_list("rep_id", flat=True))
    first, _last = month_bounds(day)
    month_fines = dict(
        DayResult.objects.filter(rep__in=reps, date__gte=first, date__lt=day)
        .values("rep_id")
        .annotate(total=Sum("fine_total"))
        .order_by()
        .values_list("rep_id", "total")
    )
    rows = []
    for rep in reps:
        result = results[rep.pk]
        rows.append(
            {
                "rep": rep,
                "result": result,
                "calls_percent": _percent(result.effective_calls, result.required_calls),
                "customers_percent": _percent(result.counted_customers, result.required_customers),
                "behind": not result.met,
                "must_stay": after_end and result.short_calls > 0,
                "closed": rep.pk in closed,
                "work_record": rep.pk in records,
                "month_fines": (month_fines.get(rep.pk) or Decimal(0)) + result.fine_total,
            }
        )
    rows.sort(key=lambda r: (not r["behind"], -r["result"].short_calls, r["rep"].username))
    leaderboard = sorted(
        rows, key=lambda r: (-r["result"].effective_calls, -r["result"].counted_customers, r["rep"].username)
    )
    return {
        "day": day,
        "rows": rows,
        "leaderboard": leaderboard[:10],
        "after_end_of_work": after_end,
        "end_of_work": end_of_work,
        "must_stay": [r for r in rows if r["must_stay"]],
        "behind_count": sum(1 for r in rows if r["behind"]),
    }


# Monthly statement ----------------------------------------------------------------------


def month_statement(*, reps: list[User], month: datetime.date, today: datetime.date | None = None) -> dict:
    """Return each rep's days of ``month`` (closed results, or live ones for open days) and totals."""
    today = today or timezone.localdate()
    first, last = month_bounds(month)
    last = min(last, today)
    stored = defaultdict(dict)
    for result in DayResult.objects.filter(rep__in=reps, date__gte=first, date__lte=last).order_by("date"):
        stored[result.rep_id][result.date] = result
    calendar = work_calendar(start=first, end=last)
    # Days before anyone ever logged a call were not judged (Telroom was not in use yet).
    first_call_day = Call.objects.order_by("date").values_list("date", flat=True).first()
    rule_sets = rule_sets_by_day(start=first, end=last) if first <= last else {}
    statements = {}
    for rep in reps:
        statements[rep.pk] = {"rep": rep, "days": [], "totals": defaultdict(Decimal)}
    day = first
    while day <= last:
        judged = first_call_day is not None and day >= first_call_day
        missing = [
            rep
            for rep in reps
            if judged and day not in stored[rep.pk] and (rep.hire_date is None or rep.hire_date <= day)
        ]
        live = (
            quota_days_evaluate(reps=missing, day=day, rule_set=rule_sets[day], calendar=calendar)
            if missing
            else {}
        )
        for rep in reps:
            row = stored[rep.pk].get(day)
            if row is not None:
                line = {
                    "date": day,
                    "working_day": row.working_day,
                    "required_calls": row.required_calls,
                    "required_customers": row.required_customers,
                    "effective_calls": row.effective_calls,
                    "counted_customers": row.counted_customers,
                    "short_calls": row.short_calls,
                    "short_customers": row.short_customers,
                    "false_records": row.false_records,
                    "fine_shortfall": row.fine_shortfall,
                    "fine_false": row.fine_false,
                    "fine_total": row.fine_total,
                    "closed": row.is_closed,
                }
            elif rep.pk in live:
                r = live[rep.pk]
                line = {
                    "date": day,
                    "working_day": r.working_day,
                    "required_calls": r.required_calls,
                    "required_customers": r.required_customers,
                    "effective_calls": r.effective_calls,
                    "counted_customers": r.counted_customers,
                    "short_calls": r.short_calls,
                    "short_customers": r.short_customers,
                    "false_records": r.false_records,
                    "fine_shortfall": r.fine_shortfall,
                    "fine_false": r.fine_false,
                    "fine_total": r.fine_total,
                    "closed": False,
                }
            else:
                continue
            statement = statements[rep.pk]
            statement["days"].append(line)
            for key in (
                "short_calls",
                "short_customers",
                "false_records",
                "fine_shortfall",
                "fine_false",
                "fine_total",
            ):
                statement["totals"][key] += line[key]
            statement["totals"]["working_days"] += 1 if line["working_day"] else 0
        day += datetime.timedelta(days=1)
    for statement in statements.values():
        statement["totals"] = dict(statement["totals"])
    return {"first": first, "last": last, "statements": [statements[rep.pk] for rep in reps]}


# Lists ----------------------------------------------------------------------------------


def call_list(*, user: User) -> QuerySet[Call]:
    return Call.objects.filter(rep__in=visible_reps(user=user)).select_related("rep", "customer")


def unverified_call_list(*, user: User) -> QuerySet[Call]:
    return call_list(user=user).filter(source=Call.Source.MANUAL, verified=False)


def follow_up_list(*, user: User) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(rep__in=visible_reps(user=user)).select_related("rep", "false_marked_by")


def absence_list(*, user: User) -> QuerySet[Absence]:
    return Absence.objects.filter(rep__in=visible_reps(user=user)).select_related(
        "rep", "decided_by", "training"
    )


def absences_to_decide(*, user: User) -> QuerySet[Absence]:
    return absence_list(user=user).filter(status=Absence.Status.PENDING).exclude(rep=user)


def work_record_status(*, user: User, day: datetime.date) -> list[dict]:
    """Return each visible rep's work record for ``day``: sent, late, or missing."""
    reps = list(visible_reps(user=user).exclude(pk=user.pk)) if is_supervisor(user) else [user]
    records = {r.rep_id: r for r in WorkRecord.objects.filter(rep__in=reps, date=day)}
    return [{"rep": rep, "record": records.get(rep.pk)} for rep in reps]


def weekly_plan_status(*, user: User, week_start: datetime.date) -> list[dict]:
    reps = list(visible_reps(user=user).exclude(pk=user.pk)) if is_supervisor(user) else [user]
    plans = {p.rep_id: p for p in WeeklyPlan.objects.filter(rep__in=reps, week_start=week_start)}
    return [{"rep": rep, "plan": plans.get(rep.pk)} for rep in reps]


def absences_preview(*, absences: list[Absence]) -> None:
    """Set ``calls_before``/``calls_after`` on each request: the call standard without and with it."""
    from .quota import required_for

    if not absences:
        return
    dates = [a.date for a in absences]
    rule_sets = rule_sets_by_day(start=min(dates), end=max(dates))
    approved = {
        (row["rep_id"], row["date"]): row["total"]
        for row in Absence.objects.filter(
            rep_id__in={a.rep_id for a in absences}, date__in=set(dates), status=Absence.Status.APPROVED
        )
        .values("rep_id", "date")
        .annotate(total=Sum("hours"))
        .order_by()
    }
    for absence in absences:
        rules = rule_sets[absence.date].as_rules()
        already = approved.get((absence.rep_id, absence.date)) or Decimal(0)
        hire_date = absence.rep.hire_date
        absence.calls_before = required_for(
            day=absence.date, rules=rules, hire_date=hire_date, absence_hours=already
        )[0]
        absence.calls_after = required_for(
            day=absence.date, rules=rules, hire_date=hire_date, absence_hours=already + absence.hours
        )[0]


def day_result_list(*, start: datetime.date, end: datetime.date, reps=None) -> QuerySet[DayResult]:
    """Return the stored quota days from ``start`` to ``end`` (for reports), with their reps."""
    results = DayResult.objects.filter(date__gte=start, date__lte=end).select_related("rep")
    if reps is not None:
        results = results.filter(rep__in=reps)
    return results.order_by("date", "rep__username")


def day_history(*, result: DayResult) -> list[dict]:
    """Return the audited events of a quota day (reopened, recomputed, closed by hand), newest first."""
    from apps.core.audit import audit_entries_for

    history = []
    for entry in audit_entries_for(result)[:20]:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        event = changes.get("event")
        if not event:
            continue
        history.append({"at": entry.timestamp, "actor": entry.actor, "message": event[1]})
    return history


def follow_ups_due(*, rep: User, day: datetime.date) -> QuerySet[FollowUp]:
    """Return the rep's records whose next follow-up falls on ``day`` (customers to call back)."""
    return FollowUp.objects.filter(rep=rep, next_follow_up=day, is_false=False).order_by("company_name", "pk")
