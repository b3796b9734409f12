"""Concurrency on PostgreSQL, and the escalation task run by a real Celery worker."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from apps.faults import services
from apps.faults.models import Fault, FaultEscalation, InspectionRound
from apps.faults.tasks import faults_escalate_overdue_task
from tests.celery_worker import wait_for
from tests.faults.factories import answers, engineer, report, requester, room_checklist

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_simultaneous_reports_get_distinct_consecutive_numbers():
    people = [requester() for _ in range(6)]
    results, errors = _in_threads(6, lambda i: report(actor=people[i], item=str(8100 + i)).number)
    assert errors == []
    year = timezone.localdate().year
    assert sorted(results) == [f"GZ-{year}-{n:05d}" for n in range(1, 7)]


def test_two_engineers_recording_the_same_round_get_one_round_and_one_clear_refusal():
    template = room_checklist()
    people = [engineer(), engineer()]
    replies = answers(template, 温度="35")
    results, errors = _in_threads(
        2, lambda i: services.inspection_round_record(template=template, actor=people[i], answers=replies)
    )
    assert len(results) == 1
    assert len(errors) == 1
    assert "已由" in str(errors[0]) or "已有记录" in str(errors[0])
    assert InspectionRound.objects.count() == 1
    assert Fault.objects.count() == 1


def test_simultaneous_acknowledgements_record_one(transactional_db):
    fault = report()
    people = [engineer(), engineer(), engineer()]
    results, errors = _in_threads(3, lambda i: services.fault_acknowledge(fault=fault, actor=people[i]))
    assert len(results) == 1
    assert len(errors) == 2
    assert all("不能确认" in str(e) for e in errors)
    assert Fault.objects.get(pk=fault.pk).events.filter(kind="acknowledged").count() == 1


def test_two_escalation_runs_at_once_escalate_each_stage_once():
    from apps.core.models import Notification

    wang = engineer()
    faults = [report(severity="critical", item=str(8100 + i)) for i in range(5)]
    Fault.objects.update(reported_at=timezone.now() - datetime.timedelta(minutes=40))
    results, errors = _in_threads(3, lambda i: len(services.faults_escalate_overdue()))
    assert errors == []
    assert sum(results) == 10  # two response stages for each of the five faults, whoever recorded them
    assert FaultEscalation.objects.count() == 10
    assert Notification.objects.filter(recipient=wang, title__startswith="超时").count() == 5
    assert all(f.escalations.count() == 2 for f in faults)


@pytest.mark.redis
def test_escalation_task_runs_on_a_real_worker(celery_worker_process):
    engineer()
    fault = report(severity="critical")
    Fault.objects.filter(pk=fault.pk).update(reported_at=timezone.now() - datetime.timedelta(minutes=40))
    faults_escalate_overdue_task.delay()
    wait_for(lambda: FaultEscalation.objects.filter(fault=fault).count() == 2)
    faults_escalate_overdue_task.delay().get(timeout=20)
    assert FaultEscalation.objects.filter(fault=fault).count() == 2
