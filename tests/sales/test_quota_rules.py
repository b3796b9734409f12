"""DESIGN.md's quota rules, case by case, on the pure function."""

import datetime
from decimal import Decimal

import pytest

from apps.core.calendar import WorkCalendar
from apps.sales.quota import CallFact, FollowUpFact, Rules, quota_compute

MONDAY = datetime.date(2026, 3, 2)
SUNDAY = datetime.date(2026, 3, 8)
LONG_AGO = datetime.date(2020, 1, 1)


def calls(n, seconds=60, outcome="conversation"):
    return [CallFact(outcome, seconds)] * n


def customers(n, **changes):
    facts = []
    for i in range(n):
        data = {
            "contact_person": "张经理",
            "company_name": f"公司{i}",
            "phone": f"1380013{i:04d}",
            "content": "介绍了套餐",
            "category": "intent" if i % 2 else "developable",
        }
        data.update(changes)
        facts.append(FollowUpFact(**data))
    return facts


CASES = [
    # id, day, hire date, calls, follow-ups, hours away, calendar, expected
    (
        "regular rep meets the standard",
        MONDAY, LONG_AGO, calls(120), customers(25), 0, None,
        {"required": (120, 25), "achieved": (120, 25), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "119 calls, one of 29 s: two short, 10 yuan",
        MONDAY, LONG_AGO, calls(118) + calls(1, seconds=29), customers(25), 0, None,
        {"required": (120, 25), "achieved": (118, 25), "short": (2, 0), "fine": "10.00"},
    ),
    (
        "hire day 14: new employee standard 80/15",
        MONDAY, MONDAY - datetime.timedelta(days=14), calls(80), customers(15), 0, None,
        {"required": (80, 15), "achieved": (80, 15), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "hire day 15: regular standard 120/25",
        MONDAY, MONDAY - datetime.timedelta(days=15), calls(80), customers(15), 0, None,
        {"required": (120, 25), "achieved": (80, 15), "short": (40, 10), "fine": "250.00"},
    ),
    (
        "3 hours of approved visits, W = 8: ceil(120 × 5 / 8) = 75 calls, customers still 25",
        MONDAY, LONG_AGO, calls(75), customers(24), 3, None,
        {"required": (75, 25), "achieved": (75, 24), "short": (0, 1), "fine": "5.00"},
    ),
    (
        "a full day of approved leave requires nothing",
        MONDAY, LONG_AGO, [], [], 8, None,
        {"required": (0, 0), "achieved": (0, 0), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "Sunday requires nothing",
        SUNDAY, LONG_AGO, calls(3), [], 0, None,
        {"required": (0, 0), "achieved": (3, 0), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "a public holiday requires nothing",
        MONDAY, LONG_AGO, [], [], 0, WorkCalendar(exceptions={MONDAY: False}),
        {"required": (0, 0), "achieved": (0, 0), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "a Sunday made a working day counts",
        SUNDAY, LONG_AGO, calls(120), customers(25), 0, WorkCalendar(exceptions={SUNDAY: True}),
        {"required": (120, 25), "achieved": (120, 25), "short": (0, 0), "fine": "0.00"},
    ),
    (
        "a follow-up missing its company name does not count",
        MONDAY, LONG_AGO, calls(120), customers(24) + customers(1, company_name="", phone="13912345678"), 0, None,
        {"required": (120, 25), "achieved": (120, 24), "short": (0, 1), "fine": "5.00"},
    ),
    (
        "the same customer recorded twice in a day counts once",
        MONDAY, LONG_AGO, calls(120), customers(24) + customers(1), 0, None,
        {"required": (120, 25), "achieved": (120, 24), "short": (0, 1), "fine": "5.00"},
    ),
    (
        "a not-interested customer does not count",
        MONDAY, LONG_AGO, calls(120), customers(24) + customers(1, category="not_interested", phone="13912345678"), 0, None,
        {"required": (120, 25), "achieved": (120, 24), "short": (0, 1), "fine": "5.00"},
    ),
    (
        "a false record: 50 yuan and it stops counting",
        MONDAY, LONG_AGO, calls(120), customers(24) + customers(1, is_false=True, phone="13912345678"), 0, None,
        {"required": (120, 25), "achieved": (120, 24), "short": (0, 1), "fine": "55.00"},
    ),
    (
        "calls without a conversation do not count",
        MONDAY, LONG_AGO, calls(100) + calls(30, outcome="no_answer", seconds=0), customers(25), 0, None,
        {"required": (120, 25), "achieved": (100, 25), "short": (20, 0), "fine": "100.00"},
    ),
    (
        "before the hire date nothing is required",
        MONDAY, MONDAY + datetime.timedelta(days=1), [], [], 0, None,
        {"required": (0, 0), "achieved": (0, 0), "short": (0, 0), "fine": "0.00"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "hire", "call_facts", "follow_ups", "hours", "calendar", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_quota_rules(day, hire, call_facts, follow_ups, hours, calendar, expected):
    result = quota_compute(
        day=day,
        rules=Rules(),
        hire_date=hire,
        calls=call_facts,
        follow_ups=follow_ups,
        absence_hours=Decimal(hours),
        calendar=calendar,
    )
    assert (result.required_calls, result.required_customers) == expected["required"]
    assert (result.effective_calls, result.counted_customers) == expected["achieved"]
    assert (result.short_calls, result.short_customers) == expected["short"]
    assert result.fine_total == Decimal(expected["fine"])


def test_a_changed_rule_set_judges_by_its_own_numbers():
    stricter = Rules(standard_calls=150, standard_customers=30, fine_per_short=Decimal("10"))
    result = quota_compute(
        day=MONDAY, rules=stricter, hire_date=LONG_AGO, calls=calls(120), follow_ups=customers(25)
    )
    assert (result.short_calls, result.short_customers) == (30, 5)
    assert result.fine_total == Decimal("350.00")


def test_reasons_explain_what_does_not_count():
    result = quota_compute(
        day=MONDAY,
        rules=Rules(),
        hire_date=LONG_AGO,
        calls=calls(2, seconds=10),
        follow_ups=customers(1, company_name=""),
    )
    text = " ".join(result.reasons)
    assert "30" in text
    assert result.counted_customers == 0


def test_half_hour_away_rounds_the_call_standard_up():
    result = quota_compute(
        day=MONDAY, rules=Rules(), hire_date=LONG_AGO, calls=[], follow_ups=[], absence_hours=Decimal("0.5")
    )
    # ceil(120 × 7.5 / 8) = ceil(112.5) = 113
    assert result.required_calls == 113
