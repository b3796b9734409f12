"""Row locks and a real Celery worker: PostgreSQL (and Redis) only."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apps.core.models import Notification
from apps.frontdesk.models import Call, Callback
from apps.frontdesk.services import callback_complete, callbacks_notify_overdue
from apps.frontdesk.tasks import callbacks_overdue_notify
from tests.celery_worker import wait_for

from .factories import front_desk_user, log_call, make_line, shift_leader_user


def _overdue_callbacks(count):
    desk = front_desk_user()
    line = make_line()
    two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
    return [
        log_call(actor=desk, line=line, outcome=Call.Outcome.CALLBACK, answered_at=two_hours_ago).callback
        for _ in range(count)
    ]


def _run_together(target, times=2):
    barrier = threading.Barrier(times)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overdue_checks_at_once_announce_each_callback_once():
    leader = shift_leader_user()
    _overdue_callbacks(5)
    results = _run_together(callbacks_notify_overdue)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 5
    assert Notification.objects.filter(recipient=leader).count() == 5
    assert not Callback.objects.filter(overdue_notified_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_marking_one_callback_done_get_one_success_and_one_message():
    callback = _overdue_callbacks(1)[0]
    desk = callback.call.answered_by
    results = _run_together(lambda: callback_complete(actor=desk, callback=callback, note="已回电"))
    done = [r for r in results if isinstance(r, Callback)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1
    assert len(refused) == 1
    assert "该回电已于" in refused[0].messages[0]


@pytest.mark.postgres
@pytest.mark.redis
def test_the_worker_announces_an_overdue_callback(celery_worker_process):
    leader = shift_leader_user()
    _overdue_callbacks(1)
    callbacks_overdue_notify.delay()
    wait_for(lambda: Notification.objects.filter(recipient=leader, title__contains="回电逾期").exists())
    assert Callback.objects.get().overdue_notified_at is not None
