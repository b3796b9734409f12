"""The quota rules of REGULATIONS.md part 3 as DESIGN.md decides them: one pure function.

``quota_compute`` takes everything that decides a rep's day (the rule set in force, the
hire date, the calls, the follow-up records, the approved hours away and the work
calendar) and returns what was required, what was achieved, the shortfall, the fines
and the reasons. It touches no database, so every rule is tested as a table.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from apps.core.calendar import WorkCalendar

CONVERSATION = "conversation"
COUNTED_CATEGORIES = frozenset({"intent", "developable"})


@dataclass(frozen=True)
class Rules:
    """The numbers of one rule set (see models.RuleSet)."""

    standard_calls: int = 120
    standard_customers: int = 25
    new_calls: int = 80
    new_customers: int = 15
    new_period_days: int = 15
    min_talk_seconds: int = 30
    fine_per_short: Decimal = Decimal("5.00")
    fine_per_false: Decimal = Decimal("50.00")
    work_hours: Decimal = Decimal("8")
    end_of_work: datetime.time = datetime.time(18, 0)
    day_close: datetime.time = datetime.time(23, 59)

    def snapshot(self) -> dict:
        """Return the rules as JSON-friendly values, kept with a closed day."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, Decimal | datetime.time):
                data[key] = str(value)
        return data


@dataclass(frozen=True)
class CallFact:
    """``count`` calls with this outcome and talk time (the database passes them grouped)."""

    outcome: str
    talk_seconds: int
    count: int = 1


@dataclass(frozen=True)
class FollowUpFact:
    contact_person: str
    company_name: str
    phone: str | None  # the normalised number; None when the number is not valid
    content: str
    category: str
    is_false: bool = False
    pk: int | None = None


@dataclass(frozen=True)
class FollowUpTally:
    """A day's follow-up records reduced to counts (the database can count them directly)."""

    counted: int = 0
    incomplete: int = 0
    repeated: int = 0
    false_records: int = 0
    counted_ids: tuple[int, ...] = ()


def tally_follow_ups(follow_ups: Iterable[FollowUpFact]) -> FollowUpTally:
    """Count the customers: complete records for intent or developable customers, once per number."""
    seen: set[str] = set()
    counted_ids: list[int] = []
    false_records = incomplete = repeated = 0
    for fact in follow_ups:
        if fact.is_false:
            false_records += 1
            continue
        if follow_up_problems(fact):
            incomplete += 1
            continue
        if fact.phone in seen:
            repeated += 1
            continue
        seen.add(fact.phone)
        if fact.pk is not None:
            counted_ids.append(fact.pk)
    return FollowUpTally(len(seen), incomplete, repeated, false_records, tuple(counted_ids))


@dataclass
class QuotaResult:
    working_day: bool
    new_employee: bool
    required_calls: int
    required_customers: int
    effective_calls: int
    counted_customers: int
    short_calls: int
    short_customers: int
    false_records: int
    fine_shortfall: Decimal
    fine_false: Decimal
    reasons: list[str] = field(default_factory=list)
    counted_follow_up_ids: list[int] = field(default_factory=list)

    @property
    def fine_total(self) -> Decimal:
        return self.fine_shortfall + self.fine_false

    @property
    def met(self) -> bool:
        return self.short_calls == 0 and self.short_customers == 0


def follow_up_problems(fact: FollowUpFact, phone_error: str | None = None) -> list[str]:
    """Return why this follow-up record does not count (empty when it would count).

    ``phone_error`` says what is wrong with a number that did not normalise.
    """
    problems = []
    if fact.is_false:
        problems.append(str(_("marked false by the supervisor")))
    if not fact.contact_person.strip():
        problems.append(str(_("the contact person is missing")))
    if not fact.company_name.strip():
        problems.append(str(_("the company name is missing")))
    if not fact.phone:
        problems.append(phone_error or str(_("the telephone number is missing or not valid")))
    if not fact.content.strip():
        problems.append(str(_("the follow-up content is missing")))
    if fact.category not in COUNTED_CATEGORIES:
        problems.append(str(_("only intent and developable customers count")))
    return problems


def required_for(
    *, day: datetime.date, rules: Rules, hire_date: datetime.date | None, absence_hours: Decimal
) -> tuple[int, int, bool]:
    """Return (calls, customers, new employee) required on a working day."""
    new_employee = hire_date is not None and (day - hire_date).days < rules.new_period_days
    calls = rules.new_calls if new_employee else rules.standard_calls
    customers = rules.new_customers if new_employee else rules.standard_customers
    hours_away = max(Decimal(0), min(Decimal(absence_hours), rules.work_hours))
    if hours_away >= rules.work_hours:
        return 0, 0, new_employee
    if hours_away > 0:
        # ceil(standard × (W − h) / W), in exact arithmetic.
        remaining = Decimal(calls) * (rules.work_hours - hours_away) / rules.work_hours
        calls = math.ceil(remaining)
    return calls, customers, new_employee


def quota_compute(
    *,
    day: datetime.date,
    rules: Rules,
    hire_date: datetime.date | None,
    calls: Iterable[CallFact],
    follow_ups: "Iterable[FollowUpFact] | FollowUpTally",
    absence_hours: Decimal = Decimal(0),
    calendar: WorkCalendar | None = None,
) -> QuotaResult:
    """Judge one rep's day by ``rules``; see DESIGN.md, "Sales-call quotas"."""
    calendar = calendar or WorkCalendar()
    reasons: list[str] = []
    working_day = calendar.is_working_day(day) and (hire_date is None or day >= hire_date)

    effective = too_short = no_conversation = 0
    for call in calls:
        if call.outcome != CONVERSATION:
            no_conversation += call.count
        elif call.talk_seconds < rules.min_talk_seconds:
            too_short += call.count
        else:
            effective += call.count
    if too_short:
        reasons.append(
            str(_("%(count)s calls were shorter than %(seconds)s seconds and do not count"))
            % {"count": too_short, "seconds": rules.min_talk_seconds}
        )
    if no_conversation:
        reasons.append(
            str(_("%(count)s calls had no conversation and do not count")) % {"count": no_conversation}
        )

    tally = follow_ups if isinstance(follow_ups, FollowUpTally) else tally_follow_ups(follow_ups)
    counted, incomplete, repeated, false_records = (
        tally.counted,
        tally.incomplete,
        tally.repeated,
        tally.false_records,
    )
    if incomplete:
        reasons.append(
            str(_("%(count)s follow-up records are incomplete or not for an intent or developable customer"))
            % {"count": incomplete}
        )
    if repeated:
        reasons.append(
            str(_("%(count)s follow-up records repeat a customer already counted today"))
            % {"count": repeated}
        )
    if false_records:
        reasons.append(str(_("%(count)s follow-up records were found false")) % {"count": false_records})

    if working_day:
        required_calls, required_customers, new_employee = required_for(
            day=day, rules=rules, hire_date=hire_date, absence_hours=absence_hours
        )
        if new_employee:
            reasons.append(
                str(_("new employee standard (fewer than %(days)s days)")) % {"days": rules.new_period_days}
            )
        if absence_hours and required_calls == 0:
            reasons.append(str(_("away the whole working day with approval: nothing required")))
        elif absence_hours:
            reasons.append(
                str(_("%(hours)s approved hours away lower the call standard")) % {"hours": absence_hours}
            )
    else:
        required_calls = required_customers = 0
        new_employee = False
        reasons.append(str(_("not a working day: nothing required")))

    short_calls = max(0, required_calls - effective)
    short_customers = max(0, required_customers - counted)
    fine_shortfall = rules.fine_per_short * (short_calls + short_customers)
    fine_false = rules.fine_per_false * false_records
    return QuotaResult(
        working_day=working_day,
        new_employee=new_employee,
        required_calls=required_calls,
        required_customers=required_customers,
        effective_calls=effective,
        counted_customers=counted,
        short_calls=short_calls,
        short_customers=short_customers,
        false_records=false_records,
        fine_shortfall=fine_shortfall.quantize(Decimal("0.01")),
        fine_false=fine_false.quantize(Decimal("0.01")),
        reasons=reasons,
        counted_follow_up_ids=list(tally.counted_ids),
    )
