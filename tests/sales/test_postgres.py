"""Concurrency on PostgreSQL, and the day close run by a real Celery worker."""

import datetime
import threading

import pytest
from django.db import connection

from apps.sales import services
from apps.sales.models import DayResult, FollowUp
from apps.sales.tasks import quota_days_close_task
from tests.celery_worker import wait_for

from .factories import make_rep, make_supervisor

MONDAY = datetime.date(2026, 3, 2)


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def wrap(function):
        try:
            barrier.wait()
            function()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_customer_saved_twice_at_once_counts_once():
    rep = make_rep()

    def save():
        services.follow_up_create(
            actor=rep,
            rep=rep,
            contact_person="张",
            company_name="甲",
            phone="13912345678",
            content="A",
            category="intent",
            day=MONDAY,
        )

    assert run_together(save, save, save) == []
    assert FollowUp.objects.filter(rep=rep).count() == 3
    assert FollowUp.objects.filter(rep=rep, counted_phone__isnull=False).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_day_closes_at_once_leave_one_result_per_rep():
    supervisor = make_supervisor()
    reps = [make_rep(username=f"rep{i}", supervisor=supervisor) for i in range(5)]
    errors = run_together(
        lambda: services.quota_days_close(day=MONDAY), lambda: services.quota_days_close(day=MONDAY)
    )
    assert errors == []
    assert DayResult.objects.filter(date=MONDAY).count() == len(reps)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_day_close_task_runs_on_a_real_worker_and_twice_changes_nothing(celery_worker_process):
    rep = make_rep()
    quota_days_close_task.delay(day=MONDAY.isoformat())
    assert wait_for(lambda: DayResult.objects.filter(rep=rep, date=MONDAY, is_closed=True).exists())
    closed_at = DayResult.objects.get(rep=rep, date=MONDAY).closed_at
    result = quota_days_close_task.delay(day=MONDAY.isoformat())
    assert result.get(timeout=20) == 0
    assert DayResult.objects.get(rep=rep, date=MONDAY).closed_at == closed_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_one_request_at_once_one_wins():
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from apps.sales.models import Absence
    from tests.factories import UserFactory

    supervisor = make_supervisor()
    admin = UserFactory(username="boss", is_superuser=True)
    rep = make_rep(supervisor=supervisor)
    absence = services.absence_request(
        actor=rep, kind=Absence.Kind.LEAVE, day=MONDAY, hours=Decimal(8), purpose="事假"
    )
    errors = run_together(
        lambda: services.absence_decide(actor=supervisor, absence=absence, approve=True),
        lambda: services.absence_decide(actor=admin, absence=absence, approve=False),
    )
    assert len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    absence.refresh_from_db()
    assert absence.status in (Absence.Status.APPROVED, Absence.Status.REFUSED)
