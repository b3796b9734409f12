import datetime

import pytest
import time_machine

from apps.accounts.models import Role
from apps.core.models import Notification
from apps.faults import services
from apps.faults.models import FaultEscalation, FaultEvent
from apps.faults.tasks import faults_escalate_overdue_task
from tests.faults.factories import chief, engineer, report, requester

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai


def _overdue_notes(user):
    return list(
        Notification.objects.filter(recipient=user, title__startswith="超时").values_list("title", flat=True)
    )


def test_escalation_fires_once_per_stage_with_a_frozen_clock():
    wang, li = engineer(), chief()
    with time_machine.travel(START, tick=False) as clock:
        fault = report(actor=requester(), severity="critical")  # respond 15 min, restore 4 h
        assert faults_escalate_overdue_task() == 0
        clock.shift(datetime.timedelta(minutes=16))
        assert faults_escalate_overdue_task() == 1  # response missed: engineers
        assert faults_escalate_overdue_task() == 0  # the next run repeats nothing
        assert len(_overdue_notes(wang)) == 1
        assert _overdue_notes(li) == []
        clock.shift(datetime.timedelta(minutes=15))  # 31 min: overdue by as long again
        assert faults_escalate_overdue_task() == 1
        assert len(_overdue_notes(li)) == 1
        assert len(_overdue_notes(wang)) == 1
        services.fault_acknowledge(fault=fault, actor=wang)
        clock.shift(datetime.timedelta(hours=4))  # restore target missed
        assert faults_escalate_overdue_task() == 1
        clock.shift(datetime.timedelta(hours=4))
        assert faults_escalate_overdue_task() == 1
        for _ in range(3):
            assert faults_escalate_overdue_task() == 0
    stages = sorted(FaultEscalation.objects.filter(fault=fault).values_list("target", "stage"))
    assert stages == [("response", 1), ("response", 2), ("restore", 1), ("restore", 2)]
    assert len(_overdue_notes(wang)) == 2
    assert len(_overdue_notes(li)) == 2
    assert FaultEvent.objects.filter(fault=fault, kind="escalated").count() == 4


def test_restored_and_acknowledged_faults_are_not_escalated():
    wang = engineer()
    with time_machine.travel(START, tick=False) as clock:
        quick = report(severity="minor")
        services.fault_restore(fault=quick, actor=wang)
        seen = report(severity="minor", item="8200")
        services.fault_acknowledge(fault=seen, actor=wang)
        clock.shift(datetime.timedelta(hours=5))  # past minor's 4 h response, within 72 h restore
        assert faults_escalate_overdue_task() == 0


def test_escalation_uses_the_edited_targets():
    engineer()
    services.response_target_update(actor=chief(), severity="minor", respond_minutes=5, restore_minutes=60)
    with time_machine.travel(START, tick=False) as clock:
        fault = report(severity="minor")
        clock.shift(datetime.timedelta(minutes=6))
        faults_escalate_overdue_task()
    assert FaultEscalation.objects.filter(fault=fault, target="response", stage=1).exists()


def test_the_escalation_schedule_is_created_by_a_migration():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="faults.escalate_overdue")
    assert task.enabled
    assert task.crontab.minute == "*/5"
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_escalation_notifies_the_assignee_and_engineers_group():
    wang, zhou = engineer(), engineer()
    with time_machine.travel(START, tick=False) as clock:
        fault = report(severity="major")
        services.fault_take(fault=fault, actor=wang)
        clock.shift(datetime.timedelta(hours=25))
        faults_escalate_overdue_task()
    assert len(_overdue_notes(wang)) == 1
    assert len(_overdue_notes(zhou)) == 1
    assert Role.ENGINEER
