import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.frontdesk.models import Call, Callback
from tests.factories import UserFactory

from .factories import floor_manager_user, front_desk_user, log_call, make_line, shift_leader_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _post_call(client, line, **fields):
    data = {
        "line": line.pk,
        "rings": 2,
        "caller_name": "张先生",
        "caller_number": "13800001111",
        "kind": "order",
        "request": "今晚 6 人订位，要包间",
        "confirmed": "on",
        "outcome": "handled",
    }
    data.update(fields)
    return client.post(reverse("frontdesk:call_new"), data, follow=True)


def test_front_desk_logs_a_call_and_is_allowed(client):
    desk = front_desk_user()
    line = make_line()
    client.force_login(desk)
    response = _post_call(client, line)
    assert "来电已登记。" in response.content.decode()
    call = Call.objects.get()
    assert call.answered_by == desk
    assert call.answerer_allowed is True
    assert call.confirmed is True
    assert not Callback.objects.exists()


def test_call_page_shows_the_greeting_as_prompt_and_the_apology_reminder(client):
    client.force_login(front_desk_user())
    make_line(greeting="您好，小羔羊火锅店，我可以为您做什么？")
    page = client.get(reverse("frontdesk:call_new")).content.decode()
    assert 'data-greeting="您好，小羔羊火锅店，我可以为您做什么？"' in page
    assert "响铃已超过三声。" in page
    assert "请先向来电者致歉" in page
    assert "三声" in page


def test_role_not_allowed_on_the_line_is_told_and_recorded_as_not_allowed(client):
    leader = shift_leader_user()
    line = make_line(allowed_roles=[Role.FRONT_DESK])
    client.force_login(leader)
    response = _post_call(client, line)
    page = response.content.decode()
    assert f"您的角色在工作时间内无权接听线路 {line.number}" in page
    assert "本次来电已记为非授权接听" in page
    call = Call.objects.get()
    assert call.answerer_allowed is False
    # The call log flags it for the floor manager.
    client.force_login(floor_manager_user())
    log = client.get(reverse("frontdesk:call_list") + "?not_allowed=1").content.decode()
    assert "非授权" in log
    assert "周领班" in log


def test_outside_working_hours_any_answering_role_is_allowed():
    leader = shift_leader_user()
    line = make_line(
        allowed_roles=[Role.FRONT_DESK], work_start=datetime.time(10), work_end=datetime.time(22)
    )
    late = datetime.datetime(2026, 3, 2, 23, 15, tzinfo=SHANGHAI)
    call = log_call(actor=leader, line=line, answered_at=late)
    assert call.in_working_hours is False
    assert call.answerer_allowed is True
    in_hours = log_call(actor=leader, line=line, answered_at=late.replace(hour=12))
    assert in_hours.answerer_allowed is False


def test_someone_without_the_call_log_cannot_log_calls(client):
    engineer = UserFactory(roles=[Role.ENGINEER])
    line = make_line()
    client.force_login(engineer)
    assert client.get(reverse("frontdesk:call_new")).status_code == 403
    assert _post_call(client, line).status_code == 403
    with pytest.raises(PermissionDenied):
        log_call(actor=engineer, line=line)
    assert not Call.objects.exists()


def test_promised_callback_without_the_callers_number_is_refused_and_nothing_saved(client):
    client.force_login(front_desk_user())
    line = make_line()
    response = _post_call(client, line, outcome="callback", caller_number="")
    assert "承诺回电必须记下来电号码。" in response.content.decode()
    assert not Call.objects.exists()
    assert not Callback.objects.exists()


def test_rings_out_of_range_are_refused_with_a_message():
    line = make_line()
    with pytest.raises(ValidationError) as error:
        log_call(actor=front_desk_user(), line=line, rings=0)
    assert "rings" in error.value.message_dict


def test_a_line_not_in_use_takes_no_calls():
    line = make_line(is_active=False)
    with pytest.raises(ValidationError):
        log_call(actor=front_desk_user(), line=line)


@time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI), tick=False)
def test_call_log_lists_calls_with_their_callback_deadline(client):
    desk = front_desk_user()
    line = make_line()
    log_call(actor=desk, line=line, outcome=Call.Outcome.CALLBACK, rings=5, request="问周末儿童套餐")
    client.force_login(desk)
    page = client.get(reverse("frontdesk:call_list")).content.decode()
    assert "问周末儿童套餐" in page
    assert "承诺回电" in page
    assert "12:30" in page


def test_administrator_registers_a_line_and_front_desk_may_not(client):
    admin = UserFactory(username="admin2", roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    response = client.post(
        reverse("frontdesk:line_new"),
        {
            "number": "0571-66668888",
            "name": "吧台电话",
            "place": "一楼",
            "purpose": "订餐",
            "greeting": "您好，小羔羊火锅店，我可以为您做什么？",
            "allowed_roles": ["front_desk", "shift_leader", "floor_manager"],
            "work_start": "10:00",
            "work_end": "22:00",
            "callback_minutes": 45,
            "is_active": "on",
        },
        follow=True,
    )
    assert "线路 0571-66668888 已登记。" in response.content.decode()
    # The same number twice: a message on the number, nothing new.
    response = client.post(
        reverse("frontdesk:line_new"),
        {
            "number": "0571-66668888",
            "name": "另一条",
            "greeting": "您好",
            "allowed_roles": ["front_desk"],
            "work_start": "22:00",
            "work_end": "10:00",
            "callback_minutes": 30,
        },
    )
    page = response.content.decode()
    assert "工作结束时间必须晚于开始时间。" in page or "已存在" in page
    client.force_login(front_desk_user())
    assert client.get(reverse("frontdesk:line_new")).status_code == 403
    assert client.get(reverse("frontdesk:line_list")).status_code == 200


def test_call_log_exports_to_excel_with_formulas_neutralised(client):
    desk = front_desk_user()
    line = make_line()
    log_call(actor=desk, line=line, request='=HYPERLINK("http://x")', outcome=Call.Outcome.CALLBACK)
    log_call(actor=desk, line=line, request="外卖两份")
    client.force_login(desk)
    response = client.get(reverse("frontdesk:call_export") + f"?line={line.pk}")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("接听时间", "线路", "接听人")
    requests = {row[8] for row in rows[1:]}
    assert requests == {'\'=HYPERLINK("http://x")', "外卖两份"}
    assert any(row[11] is not None for row in rows[1:])


def test_administrator_changes_a_line_and_new_callbacks_follow_it(client):
    admin = UserFactory(username="admin3", roles=[Role.ADMINISTRATOR])
    line = make_line(callback_minutes=30)
    client.force_login(admin)
    page = client.get(reverse("frontdesk:line_edit", args=[line.pk])).content.decode()
    assert line.greeting in page
    response = client.post(
        reverse("frontdesk:line_edit", args=[line.pk]),
        {
            "number": line.number,
            "name": "吧台电话",
            "greeting": "您好，小羔羊火锅店（新店），我可以为您做什么？",
            "allowed_roles": ["front_desk", "floor_manager"],
            "work_start": "10:00",
            "work_end": "22:00",
            "callback_minutes": 15,
            "is_active": "on",
        },
        follow=True,
    )
    assert f"线路 {line.number} 已保存。" in response.content.decode()
    line.refresh_from_db()
    assert line.callback_minutes == 15
    assert line.allowed_roles == ["front_desk", "floor_manager"]
    noon = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
    call = log_call(actor=front_desk_user(), line=line, outcome=Call.Outcome.CALLBACK, answered_at=noon)
    assert call.callback.due_at == noon + datetime.timedelta(minutes=15)
    # A shift leader is no longer allowed on this line in working hours.
    assert log_call(actor=shift_leader_user(), line=line, answered_at=noon).answerer_allowed is False


def test_rings_must_be_counted_not_assumed(client):
    client.force_login(front_desk_user())
    response = _post_call(client, make_line(), rings="")
    assert "请选择接听前响了几声。" in response.content.decode()
    assert not Call.objects.exists()


def test_call_log_filters_by_person_and_shrugs_off_impossible_dates(client):
    desk, leader = front_desk_user(), shift_leader_user()
    line = make_line()
    log_call(actor=desk, line=line, request="孙接的电话")
    log_call(actor=leader, line=line, request="周接的电话")
    client.force_login(floor_manager_user())
    page = client.get(reverse("frontdesk:call_list") + f"?person={leader.pk}").content.decode()
    assert "周接的电话" in page
    assert "孙接的电话" not in page
    assert client.get(reverse("frontdesk:call_list") + "?from=2026-02-30&to=x").status_code == 200
    assert client.get(f"/api/frontdesk/calls/?answered_by={desk.pk}&from=2026-02-30").json()["count"] == 1
