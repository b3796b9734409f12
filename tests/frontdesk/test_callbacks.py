import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from apps.accounts.models import Role
from apps.core.models import Notification
from apps.frontdesk.models import Call, Callback
from apps.frontdesk.services import callback_complete, callbacks_notify_overdue
from apps.frontdesk.tasks import callbacks_overdue_notify
from tests.factories import UserFactory

from .factories import front_desk_user, log_call, make_line, shift_leader_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)


def _promise(actor, line, **fields):
    return log_call(actor=actor, line=line, outcome=Call.Outcome.CALLBACK, request="问包间价格", **fields)


@time_machine.travel(NOON, tick=False)
def test_promised_callback_is_due_thirty_minutes_after_the_call_by_default():
    call = _promise(front_desk_user(), make_line())
    assert call.callback.due_at == NOON + datetime.timedelta(minutes=30)


@time_machine.travel(NOON, tick=False)
def test_the_callback_deadline_follows_the_line():
    call = _promise(front_desk_user(), make_line(callback_minutes=10))
    assert call.callback.due_at == NOON + datetime.timedelta(minutes=10)


def test_other_outcomes_promise_no_callback():
    call = log_call(actor=front_desk_user(), line=make_line(), outcome=Call.Outcome.AFTER_SHIFT)
    assert not Callback.objects.filter(call=call).exists()


def test_overdue_callback_notifies_the_shift_leaders_once():
    leader = shift_leader_user()
    other_leader = shift_leader_user(username="fd-leader2", name="钱领班")
    desk = front_desk_user()
    with time_machine.travel(NOON, tick=False):
        call = _promise(desk, make_line(), caller_name="李女士", caller_number="13900002222")
    with time_machine.travel(NOON + datetime.timedelta(minutes=29), tick=False):
        assert callbacks_notify_overdue() == 0
    with time_machine.travel(NOON + datetime.timedelta(minutes=31), tick=False):
        assert callbacks_notify_overdue() == 1
        assert callbacks_notify_overdue() == 0
    with time_machine.travel(NOON + datetime.timedelta(hours=3), tick=False):
        assert callbacks_overdue_notify.delay().get() == 0
    notes = Notification.objects.filter(title__contains="回电逾期")
    assert sorted(n.recipient_id for n in notes) == [leader.pk, other_leader.pk]
    assert "李女士" in notes[0].title
    assert "12:30" in notes[0].body
    assert not Notification.objects.filter(recipient=desk, title__contains="回电逾期").exists()
    call.callback.refresh_from_db()
    assert call.callback.overdue_notified_at is not None


def test_a_callback_made_in_time_is_never_announced():
    shift_leader_user()
    with time_machine.travel(NOON, tick=False):
        call = _promise(front_desk_user(), make_line())
    with time_machine.travel(NOON + datetime.timedelta(minutes=20), tick=False):
        callback_complete(actor=call.answered_by, callback=call.callback, note="已回电，订好包间")
    with time_machine.travel(NOON + datetime.timedelta(hours=1), tick=False):
        assert callbacks_notify_overdue() == 0
    call.callback.refresh_from_db()
    assert call.callback.on_time is True


def test_a_callback_is_done_once():
    desk = front_desk_user()
    call = _promise(desk, make_line())
    callback_complete(actor=desk, callback=call.callback)
    with pytest.raises(ValidationError) as error:
        callback_complete(actor=desk, callback=call.callback)
    assert "该回电已于" in error.value.messages[0]


def test_callback_list_shows_due_overdue_highlighted_and_done(client):
    desk = front_desk_user()
    line = make_line()
    with time_machine.travel(NOON, tick=False):
        late = _promise(desk, line, caller_name="逾期先生")
    with time_machine.travel(NOON + datetime.timedelta(minutes=40), tick=False):
        _promise(desk, line, caller_name="待回女士")
        done = _promise(desk, line, caller_name="已回先生")
        callback_complete(actor=desk, callback=done.callback, note="已答复")
        client.force_login(desk)
        page = client.get(reverse("frontdesk:callback_list")).content.decode()
        assert "逾期先生" in page
        assert "待回女士" in page
        assert "已回先生" not in page
        assert f'class="table-danger" data-testid="callback-{late.callback.pk}"' in page
        assert "已逾期" in page
        overdue = client.get(reverse("frontdesk:callback_list") + "?state=overdue").content.decode()
        assert "逾期先生" in overdue
        assert "待回女士" not in overdue
        due = client.get(reverse("frontdesk:callback_list") + "?state=due").content.decode()
        assert "待回女士" in due
        assert "逾期先生" not in due
        finished = client.get(reverse("frontdesk:callback_list") + "?state=done").content.decode()
        assert "已回先生" in finished
        assert "按时回电" in finished
        assert "已答复" in finished


def test_marking_a_callback_done_from_the_list(client):
    desk = front_desk_user()
    call = _promise(desk, make_line())
    client.force_login(desk)
    response = client.post(
        reverse("frontdesk:callback_done", args=[call.callback.pk]), {"note": "已回电"}, follow=True
    )
    assert "已记为回电完成。" in response.content.decode()
    again = client.post(reverse("frontdesk:callback_done", args=[call.callback.pk]), follow=True)
    assert "该回电已于" in again.content.decode()
    call.callback.refresh_from_db()
    assert call.callback.done_by == desk
    assert call.callback.note == "已回电"


def test_someone_outside_the_front_desk_cannot_mark_callbacks(client):
    call = _promise(front_desk_user(), make_line())
    client.force_login(UserFactory(roles=[Role.SALES_REP]))
    assert client.post(reverse("frontdesk:callback_done", args=[call.callback.pk])).status_code == 403
    assert client.get(reverse("frontdesk:callback_list")).status_code == 403


def test_the_overdue_check_is_scheduled_every_minute():
    task = PeriodicTask.objects.get(task="apps.frontdesk.tasks.callbacks_overdue_notify")
    assert task.enabled
    assert task.crontab.minute == "*"
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_front_desk_home_card_shows_callbacks_to_make(client):
    desk = front_desk_user()
    with time_machine.travel(NOON, tick=False):
        _promise(desk, make_line(), caller_name="卡片先生")
    client.force_login(desk)
    page = client.get(reverse("core:home")).content.decode()
    assert "待回电" in page
    assert "卡片先生" in page


def test_marking_done_never_redirects_off_site(client):
    desk = front_desk_user()
    call = _promise(desk, make_line())
    client.force_login(desk)
    response = client.post(
        reverse("frontdesk:callback_done", args=[call.callback.pk]), {"next": "https://evil.example.com/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("frontdesk:callback_list")
