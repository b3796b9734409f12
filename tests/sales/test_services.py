import datetime
from decimal import Decimal

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import Notification
from apps.sales import services
from apps.sales.models import Absence, Call, DayResult, FollowUp, RuleSet
from apps.sales.selectors import month_statement, quota_day_live, team_board

from .factories import make_rep, make_supervisor

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)
TZ = timezone.get_default_timezone()


def at(day, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def log_calls(rep, day, n, seconds=60, outcome=Call.Outcome.CONVERSATION):
    """Add ``n`` hand-logged calls quickly (the service is tested on its own below)."""
    Call.objects.bulk_create(
        [
            Call(
                rep=rep,
                date=day,
                started_at=at(day, 9) + datetime.timedelta(minutes=i),
                number=f"1380000{i:04d}",
                talk_seconds=seconds,
                outcome=outcome,
            )
            for i in range(n)
        ]
    )


def add_customers(rep, day, n, start=0):
    for i in range(start, start + n):
        services.follow_up_create(
            actor=rep,
            rep=rep,
            contact_person="张经理",
            company_name=f"公司{i}",
            phone=f"1391234{i:04d}",
            content="介绍套餐",
            category=FollowUp.Category.INTENT,
            day=day,
        )


@pytest.fixture
def team():
    supervisor = make_supervisor()
    rep = make_rep(supervisor=supervisor, extension="8201")
    return supervisor, rep


@time_machine.travel(at(MONDAY, 11), tick=False)
def test_call_logged_by_hand_counts_when_it_was_a_long_enough_conversation(team):
    _supervisor, rep = team
    services.call_log(
        actor=rep,
        rep=rep,
        number="138 0013 8000",
        started_at=at(MONDAY, 10),
        talk_seconds=45,
        outcome=Call.Outcome.CONVERSATION,
    )
    services.call_log(
        actor=rep,
        rep=rep,
        number="13800138001",
        started_at=at(MONDAY, 10, 5),
        talk_seconds=29,
        outcome=Call.Outcome.CONVERSATION,
    )
    result = quota_day_live(rep=rep, day=MONDAY)
    assert result.effective_calls == 1
    assert Call.objects.get(talk_seconds=45).number_normalised == "13800138000"


@time_machine.travel(at(MONDAY, 11), tick=False)
def test_a_rep_cannot_log_calls_for_someone_else(team):
    _supervisor, rep = team
    other = make_rep(username="other")
    with pytest.raises(PermissionDenied):
        services.call_log(
            actor=other,
            rep=rep,
            number="13800138000",
            started_at=at(MONDAY, 10),
            talk_seconds=45,
            outcome=Call.Outcome.CONVERSATION,
        )


@time_machine.travel(at(MONDAY, 11), tick=False)
def test_incomplete_follow_up_is_saved_but_says_why_it_does_not_count(team):
    _supervisor, rep = team
    record = services.follow_up_create(
        actor=rep,
        rep=rep,
        contact_person="张经理",
        company_name="",
        phone="13912345678",
        content="聊了聊",
        category=FollowUp.Category.INTENT,
    )
    assert record.pk
    assert record.counted_phone is None
    assert "缺少公司名称" in " ".join(record.problems()) or "company name" in " ".join(record.problems())
    assert quota_day_live(rep=rep, day=MONDAY).counted_customers == 0


@time_machine.travel(at(MONDAY, 11), tick=False)
def test_the_same_customer_twice_in_a_day_counts_once(team):
    _supervisor, rep = team
    first = services.follow_up_create(
        actor=rep,
        rep=rep,
        contact_person="张经理",
        company_name="华东贸易",
        phone="13912345678",
        content="A",
        category=FollowUp.Category.INTENT,
    )
    second = services.follow_up_create(
        actor=rep,
        rep=rep,
        contact_person="张经理",
        company_name="华东贸易",
        phone="+86 139 1234 5678",
        content="B",
        category=FollowUp.Category.DEVELOPABLE,
    )
    assert first.counted_phone == "13912345678"
    assert second.counted_phone is None
    assert second.problems()
    assert first.customer_id == second.customer_id
    assert quota_day_live(rep=rep, day=MONDAY).counted_customers == 1


def test_approved_visit_lowers_the_call_standard_and_refused_one_does_not(team):
    supervisor, rep = team
    with time_machine.travel(at(MONDAY, 8), tick=False):
        visit = services.absence_request(
            actor=rep,
            kind=Absence.Kind.VISIT,
            day=MONDAY,
            hours=Decimal("3"),
            purpose="演示",
            customer="华东贸易",
        )
        leave = services.absence_request(
            actor=rep,
            kind=Absence.Kind.LEAVE,
            day=MONDAY + datetime.timedelta(days=1),
            hours=Decimal("8"),
            purpose="事假",
        )
        assert quota_day_live(rep=rep, day=MONDAY).required_calls == 120
        services.absence_decide(actor=supervisor, absence=visit, approve=True)
        services.absence_decide(actor=supervisor, absence=leave, approve=False, note="旺季")
    result = quota_day_live(rep=rep, day=MONDAY)
    assert (result.required_calls, result.required_customers) == (75, 25)
    assert quota_day_live(rep=rep, day=MONDAY + datetime.timedelta(days=1)).required_calls == 120


def test_a_rep_cannot_approve_and_a_supervisor_only_their_own_team(team):
    supervisor, rep = team
    other_supervisor = make_supervisor(username="wu")
    colleague = make_rep(username="colleague", supervisor=supervisor)
    absence = services.absence_request(
        actor=rep, kind=Absence.Kind.LEAVE, day=MONDAY, hours=Decimal("8"), purpose="事假"
    )
    for actor in (rep, colleague, other_supervisor):
        with pytest.raises(PermissionDenied):
            services.absence_decide(actor=actor, absence=absence, approve=True)
    absence.refresh_from_db()
    assert absence.status == Absence.Status.PENDING


def test_a_field_visit_must_name_the_customer(team):
    _supervisor, rep = team
    with pytest.raises(ValidationError) as info:
        services.absence_request(
            actor=rep, kind=Absence.Kind.VISIT, day=MONDAY, hours=Decimal("2"), purpose="x"
        )
    assert "customer" in info.value.message_dict


def test_day_close_run_twice_changes_nothing(team):
    _supervisor, rep = team
    log_calls(rep, MONDAY, 100)
    with time_machine.travel(at(MONDAY, 9), tick=False):
        add_customers(rep, MONDAY, 25)
    with time_machine.travel(at(MONDAY + datetime.timedelta(days=1), 0, 30), tick=False):
        assert services.quota_close_due() >= 1
        result = DayResult.objects.get(rep=rep, date=MONDAY)
        assert result.is_closed
        assert (result.short_calls, result.fine_total) == (20, Decimal("100.00"))
        assert result.rules_applied["standard_calls"] == 120
        closed_at = result.closed_at
        entries = LogEntry.objects.count()
        assert services.quota_close_due() == 0
    result.refresh_from_db()
    assert result.closed_at == closed_at
    assert DayResult.objects.filter(rep=rep, date=MONDAY).count() == 1
    assert LogEntry.objects.count() == entries


def test_today_closes_only_after_the_close_time(team):
    _supervisor, rep = team
    log_calls(rep, MONDAY, 1)
    with time_machine.travel(at(MONDAY, 23, 0), tick=False):
        services.quota_close_due()
        assert not DayResult.objects.filter(rep=rep, date=MONDAY).exists()
    with time_machine.travel(at(MONDAY, 23, 59), tick=False):
        services.quota_close_due()
        assert DayResult.objects.get(rep=rep, date=MONDAY).is_closed


def test_reopening_needs_a_reason_is_audited_and_the_close_task_leaves_it_open(team):
    supervisor, rep = team
    services.quota_days_close(day=MONDAY)
    result = DayResult.objects.get(rep=rep, date=MONDAY)
    with pytest.raises(ValidationError):
        services.quota_day_reopen(actor=supervisor, result=result, reason=" ")
    with pytest.raises(PermissionDenied):
        services.quota_day_reopen(actor=rep, result=result, reason="想改")
    services.quota_day_reopen(actor=supervisor, result=result, reason="补录通话记录")
    result.refresh_from_db()
    assert not result.is_closed
    messages = [str(e.changes) for e in LogEntry.objects.get_for_object(result)]
    assert any("补录通话记录" in m for m in messages)
    assert services.quota_days_close(day=MONDAY) == 0
    log_calls(rep, MONDAY, 120)
    services.quota_day_close(actor=supervisor, rep=rep, day=MONDAY)
    result.refresh_from_db()
    assert result.is_closed
    assert result.effective_calls == 120


def test_false_record_confirmed_two_days_later_recomputes_the_closed_day(team):
    supervisor, rep = team
    log_calls(rep, MONDAY, 120)
    with time_machine.travel(at(MONDAY, 9), tick=False):
        add_customers(rep, MONDAY, 25)
    services.quota_days_close(day=MONDAY)
    assert DayResult.objects.get(rep=rep, date=MONDAY).fine_total == Decimal("0.00")
    record = FollowUp.objects.filter(rep=rep, date=MONDAY).first()
    with time_machine.travel(at(MONDAY + datetime.timedelta(days=2), 15), tick=False):
        with pytest.raises(PermissionDenied):
            services.follow_up_mark_false(actor=rep, follow_up=record, note="自己标记")
        with pytest.raises(ValidationError):
            services.follow_up_mark_false(actor=supervisor, follow_up=record, note="")
        services.follow_up_mark_false(actor=supervisor, follow_up=record, note="回访核实：该公司不存在")
    result = DayResult.objects.get(rep=rep, date=MONDAY)
    assert result.is_closed
    assert (result.counted_customers, result.short_customers, result.false_records) == (24, 1, 1)
    assert result.fine_total == Decimal("55.00")  # 5 for the customer short, 50 for the false record


def test_false_record_lets_a_second_record_of_the_same_customer_count(team):
    supervisor, rep = team
    with time_machine.travel(at(MONDAY, 9), tick=False):
        first = services.follow_up_create(
            actor=rep,
            rep=rep,
            contact_person="张",
            company_name="甲",
            phone="13912345678",
            content="A",
            category=FollowUp.Category.INTENT,
        )
        second = services.follow_up_create(
            actor=rep,
            rep=rep,
            contact_person="张",
            company_name="甲",
            phone="13912345678",
            content="B",
            category=FollowUp.Category.INTENT,
        )
    services.follow_up_mark_false(actor=supervisor, follow_up=first, note="编造")
    second.refresh_from_db()
    assert second.counted_phone == "13912345678"


def test_a_rule_set_changed_mid_month_leaves_earlier_days_alone(team):
    supervisor, rep = team
    admin = make_supervisor(username="boss", is_superuser=True)
    first, change = datetime.date(2026, 3, 2), datetime.date(2026, 3, 16)
    for day in (first, change):
        log_calls(rep, day, 120)
        with time_machine.travel(at(day, 9), tick=False):
            add_customers(rep, day, 25)
    services.quota_days_close(day=first)
    with time_machine.travel(at(change - datetime.timedelta(days=1), 15), tick=False):
        with pytest.raises(ValidationError):
            services.rule_set_create(actor=admin, effective_from=first, standard_calls=1)
        services.rule_set_create(
            actor=admin, effective_from=change, standard_calls=130, fine_per_short=Decimal("10")
        )
    services.quota_days_close(day=change)
    early = DayResult.objects.get(rep=rep, date=first)
    late = DayResult.objects.get(rep=rep, date=change)
    assert (early.required_calls, early.fine_total) == (120, Decimal("0.00"))
    assert (late.required_calls, late.fine_total) == (130, Decimal("100.00"))
    assert late.rules_applied["standard_calls"] == 130
    statement = month_statement(reps=[rep], month=first, today=datetime.date(2026, 3, 16))["statements"][0]
    lines = {line["date"]: line for line in statement["days"]}
    assert lines[first]["fine_total"] == Decimal("0.00")
    assert lines[change]["fine_total"] == Decimal("100.00")
    # A working day with nothing done (Tuesday 3rd, open) is judged by the old rules.
    assert lines[datetime.date(2026, 3, 3)]["required_calls"] == 120
    assert lines[datetime.date(2026, 3, 8)]["required_calls"] == 0  # Sunday
    with pytest.raises(PermissionDenied):
        services.rule_set_create(actor=supervisor, effective_from=datetime.date(2026, 4, 1))
    assert RuleSet.objects.count() == 2


def test_new_employee_standard_until_day_15(team):
    supervisor, _rep = team
    new = make_rep(username="newbie", supervisor=supervisor, hire_date=MONDAY - datetime.timedelta(days=14))
    assert quota_day_live(rep=new, day=MONDAY).required_calls == 80
    assert quota_day_live(rep=new, day=MONDAY + datetime.timedelta(days=1)).required_calls == 120


def test_team_board_lists_who_must_stay_after_the_end_of_work(team):
    supervisor, rep = team
    done = make_rep(username="done", supervisor=supervisor)
    log_calls(done, MONDAY, 120)
    with time_machine.travel(at(MONDAY, 9), tick=False):
        add_customers(done, MONDAY, 25)
    log_calls(rep, MONDAY, 50)
    board = team_board(supervisor=supervisor, day=MONDAY, now=at(MONDAY, 17))
    assert board["must_stay"] == []
    assert [r["rep"].username for r in board["rows"]][0] == "liu"
    board = team_board(supervisor=supervisor, day=MONDAY, now=at(MONDAY, 18, 5))
    assert [r["rep"].username for r in board["must_stay"]] == ["liu"]
    assert board["leaderboard"][0]["rep"].username == "done"


def test_work_record_after_the_end_of_work_is_late(team):
    supervisor, rep = team
    with time_machine.travel(at(MONDAY, 17, 30), tick=False):
        assert not services.work_record_submit(actor=rep, content="打了100个电话").is_late
    with time_machine.travel(at(MONDAY + datetime.timedelta(days=1), 18, 30), tick=False):
        assert services.work_record_submit(actor=rep, content="补交").is_late
    assert Notification.objects.filter(recipient=supervisor).count() == 2


def test_weekly_plan_is_due_on_saturday(team):
    _supervisor, rep = team
    saturday = datetime.date(2026, 3, 7)
    with time_machine.travel(at(saturday, 16), tick=False):
        assert not services.weekly_plan_submit(actor=rep, content="下周计划").is_late
    make_rep(username="late")
    with time_machine.travel(at(saturday + datetime.timedelta(days=1), 9), tick=False):
        plan = services.weekly_plan_submit(
            actor=rep, content="下周计划（修改）", week=datetime.date(2026, 3, 9)
        )
        assert plan.is_late


def test_reminders_go_only_to_reps_who_have_not_sent(team):
    _supervisor, rep = team
    make_rep(username="second")
    with time_machine.travel(at(MONDAY, 17, 30), tick=False):
        services.work_record_submit(actor=rep, content="今日工作")
        assert services.work_record_reminders_send() == 1
    with time_machine.travel(at(datetime.date(2026, 3, 7), 16), tick=False):
        assert services.weekly_plan_reminders_send() == 2


def test_training_absence_without_approval_is_flagged(team):
    supervisor, rep = team
    excused = make_rep(username="excused", supervisor=supervisor)
    starts = at(MONDAY, 14)
    session = services.training_create(
        actor=supervisor,
        topic="产品知识",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="培训室",
        reps=[rep, excused],
    )
    absence = services.absence_request(
        actor=excused,
        kind=Absence.Kind.TRAINING,
        day=MONDAY,
        hours=Decimal("2"),
        purpose="拜访客户冲突",
        training=session,
    )
    services.absence_decide(actor=supervisor, absence=absence, approve=True)
    services.training_take_attendance(actor=supervisor, session=session, present_ids=set())
    assert [a.rep.username for a in services.training_unexcused(session=session)] == ["liu"]


def test_stay_late_notices_go_to_short_reps_and_their_supervisor(team):
    supervisor, rep = team
    done = make_rep(username="done", supervisor=supervisor)
    log_calls(done, MONDAY, 120)
    log_calls(rep, MONDAY, 100)
    assert services.stay_late_notices_send(day=MONDAY) == 1
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert not Notification.objects.filter(recipient=done).exists()
    notice = Notification.objects.get(recipient=supervisor)
    assert "20" in notice.body


def test_periodic_tasks_are_scheduled():
    from django_celery_beat.models import PeriodicTask

    tasks = set(PeriodicTask.objects.filter(name__startswith="sales:").values_list("task", flat=True))
    assert {
        "apps.sales.tasks.quota_close_due_task",
        "apps.sales.tasks.work_record_reminders_task",
        "apps.sales.tasks.weekly_plan_reminders_task",
        "apps.sales.tasks.stay_late_notices_task",
    } <= tasks


def test_demo_data_seeds_a_team_with_history_and_is_idempotent():
    import io

    from apps.accounts import demo as accounts_demo
    from apps.sales import demo

    accounts_demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())
    calls = Call.objects.count()
    assert calls > 1000
    assert DayResult.objects.filter(is_closed=True).exists()
    demo.seed(stdout=io.StringIO())
    assert Call.objects.count() == calls


def test_nothing_is_closed_before_the_first_call_was_ever_logged(team):
    _supervisor, rep = team
    with time_machine.travel(at(MONDAY, 23, 59), tick=False):
        assert services.quota_close_due() == 0
        log_calls(rep, MONDAY, 1)
        assert services.quota_close_due() == 1
    assert not DayResult.objects.filter(date__lt=MONDAY).exists()


def test_database_count_of_customers_matches_the_pure_rule(team):
    from apps.sales.quota import tally_follow_ups
    from apps.sales.selectors import quota_days_evaluate

    supervisor, rep = team
    cases = [
        ("张", "甲", "13912345678", "A", "intent"),
        ("张", "甲", "+86 139 1234 5678", "B", "developable"),  # same customer again
        ("", "乙", "13912345679", "C", "intent"),  # no contact person
        ("王", "丙", "12345", "D", "intent"),  # invalid number
        ("李", "丁", "010-12345678", "E", "not_interested"),
        ("赵", "戊", "021-12345678转8", "F", "developable"),
        ("钱", "己", "13700000000", "G", "intent"),
    ]
    with time_machine.travel(at(MONDAY, 9), tick=False):
        records = [
            services.follow_up_create(
                actor=rep, rep=rep, contact_person=c, company_name=n, phone=p, content=t, category=k
            )
            for c, n, p, t, k in cases
        ]
    services.follow_up_mark_false(actor=supervisor, follow_up=records[-1], note="不存在")
    facts = [r.as_fact() for r in FollowUp.objects.filter(rep=rep).order_by("created_at", "pk")]
    expected = tally_follow_ups(facts)
    result = quota_days_evaluate(reps=[rep], day=MONDAY)[rep.pk]
    assert (result.counted_customers, result.false_records) == (expected.counted, expected.false_records)
    assert result.counted_customers == 2
    assert result.false_records == 1


def test_leave_for_several_days_asks_for_each_working_day(team):
    _supervisor, rep = team
    absences = services.absence_request_days(
        actor=rep,
        kind=Absence.Kind.LEAVE,
        day=MONDAY,
        until=MONDAY + datetime.timedelta(days=7),
        hours=Decimal(8),
        purpose="年假",
    )
    assert [a.date.weekday() for a in absences] == [0, 1, 2, 3, 4, 5, 0]  # the Sunday is skipped
    with pytest.raises(ValidationError):
        services.absence_request_days(
            actor=rep,
            kind=Absence.Kind.LEAVE,
            day=MONDAY,
            until=MONDAY - datetime.timedelta(days=1),
            hours=Decimal(8),
            purpose="x",
        )


def test_a_closed_day_shows_its_frozen_result_even_if_the_calendar_changes_later(team):
    from apps.sales.models import CalendarDay
    from apps.sales.selectors import day_progress

    _supervisor, rep = team
    log_calls(rep, MONDAY, 10)
    services.quota_days_close(day=MONDAY)
    CalendarDay.objects.create(date=MONDAY, is_working=False, name="补记的假日")
    progress = day_progress(rep=rep, day=MONDAY, now=at(MONDAY + datetime.timedelta(days=1)))
    assert progress["result"].required_calls == 120
    assert progress["result"].fine_total == DayResult.objects.get(rep=rep, date=MONDAY).fine_total
