import datetime

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.approvals import tasks
from apps.approvals.models import FunctionChange
from apps.core.models import Notification

from .factories import chief, engineer, make_request

pytestmark = pytest.mark.django_db
S = FunctionChange.Status


def test_daily_reminders_go_to_approvers_and_to_requesters_of_overdue_changes():
    eng, boss = engineer(), chief()
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=2), tick=False):
        make_request(requester=eng, status=S.SUBMITTED)
        late = make_request(
            requester=eng,
            status=S.APPROVED,
            approver=boss,
            planned_start=now - datetime.timedelta(days=2),
            planned_end=now - datetime.timedelta(days=1),
        )
    make_request(requester=eng, status=S.SUBMITTED)  # waiting only a moment: no reminder yet
    Notification.objects.all().delete()

    result = tasks.function_change_reminders.delay().get()

    assert result == {"approvers": 1, "overdue": 1}
    to_chief = Notification.objects.get(recipient=boss)
    assert to_chief.title == "1 个功能调整已等待您审批超过一天"
    to_engineer = Notification.objects.get(recipient=eng)
    assert late.code in to_engineer.title


def test_the_reminder_schedule_exists():
    task = PeriodicTask.objects.get(task="apps.approvals.tasks.function_change_reminders")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "8",
        "30",
        "Asia/Shanghai",
    )
