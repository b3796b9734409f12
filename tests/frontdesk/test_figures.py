import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.models import Role
from apps.frontdesk.models import Call
from apps.frontdesk.selectors import day_range, figures, month_range
from apps.frontdesk.services import callback_complete
from tests.factories import UserFactory

from .factories import floor_manager_user, front_desk_user, log_call, make_line, shift_leader_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)


def _at(hour, minute=0, day=DAY):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def fixed_calls():
    """Six calls on 2 March, one on 3 March.

    孙前台 on line A: rings 1, 3, 5 (2 prompt); confirmed 2 of 3; two callbacks, one on time, one late.
    周领班 on line A: rings 2, confirmed; one callback never made (overdue).
    孙前台 on line B: rings 4, not confirmed; one callback still due at the frozen time.
    周领班 on line B: rings 1, confirmed (on 3 March, outside a daily figure of 2 March).
    """
    desk, leader = front_desk_user(), shift_leader_user()
    line_a = make_line(number="A-100", name="吧台")
    line_b = make_line(number="B-200", name="外卖")
    c1 = log_call(actor=desk, line=line_a, rings=1, answered_at=_at(10), outcome=Call.Outcome.CALLBACK)
    c2 = log_call(actor=desk, line=line_a, rings=3, answered_at=_at(11), outcome=Call.Outcome.CALLBACK)
    log_call(actor=desk, line=line_a, rings=5, answered_at=_at(12), confirmed=False)
    log_call(actor=leader, line=line_a, rings=2, answered_at=_at(13), outcome=Call.Outcome.CALLBACK)
    log_call(
        actor=desk,
        line=line_b,
        rings=4,
        answered_at=_at(21, 50),
        confirmed=False,
        outcome=Call.Outcome.CALLBACK,
    )
    log_call(actor=leader, line=line_b, rings=1, answered_at=_at(9, day=DAY + datetime.timedelta(days=1)))
    callback_complete(actor=desk, callback=c1.callback, done_at=_at(10, 20))
    callback_complete(actor=desk, callback=c2.callback, done_at=_at(11, 45))
    return line_a, line_b


@time_machine.travel(datetime.datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI), tick=False)
def test_daily_figures_per_line_and_per_person(fixed_calls):
    result = figures(start=day_range(DAY)[0], end=day_range(DAY)[1])
    assert result.total.calls == 5
    assert result.total.prompt == 3
    assert result.total.prompt_share == 60.0
    assert result.total.confirmed == 3
    assert result.total.confirmed_share == 60.0
    # Settled callbacks: on time (c1), late (c2), overdue (leader's); the 21:50 one is still due.
    assert result.total.callbacks == 3
    assert result.total.callbacks_on_time == 1
    assert result.total.on_time_share == 33.3
    line_a, line_b = result.by_line
    assert (line_a.label, line_a.calls, line_a.prompt, line_a.confirmed) == ("A-100 吧台", 4, 3, 3)
    assert (line_a.callbacks, line_a.callbacks_on_time) == (3, 1)
    assert (line_b.label, line_b.calls, line_b.prompt, line_b.callbacks) == ("B-200 外卖", 1, 0, 0)
    by_person = {row.label: row for row in result.by_person}
    assert by_person["孙前台"].calls == 4
    assert by_person["孙前台"].prompt_share == 50.0
    assert by_person["孙前台"].callbacks == 2
    assert by_person["孙前台"].on_time_share == 50.0
    assert by_person["周领班"].calls == 1
    assert by_person["周领班"].on_time_share == 0.0


@time_machine.travel(datetime.datetime(2026, 3, 31, 12, 0, tzinfo=SHANGHAI), tick=False)
def test_monthly_figures_include_every_day_of_the_month(fixed_calls):
    result = figures(start=month_range(DAY)[0], end=month_range(DAY)[1], by_day=True)
    assert result.total.calls == 6
    assert [(row.label, row.calls) for row in result.by_day] == [("2026-03-02", 5), ("2026-03-03", 1)]
    assert result.total.callbacks == 4  # by the end of the month every callback is settled
    assert {row.label: row.calls for row in result.by_person} == {"孙前台": 4, "周领班": 2}


@time_machine.travel(datetime.datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI), tick=False)
def test_figures_page_and_excel_export(client, fixed_calls):
    client.force_login(floor_manager_user())
    page = client.get(reverse("frontdesk:figures") + "?period=day&day=2026-03-02").content.decode()
    assert "A-100 吧台" in page
    assert "孙前台" in page
    assert "(60.0%)" in page
    response = client.get(reverse("frontdesk:figures_export") + "?period=day&day=2026-03-02")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    by_line, by_person = book.worksheets
    rows = list(by_line.iter_rows(values_only=True))
    assert rows[0][:3] == ("线路", "来电数", "三声内接听")
    assert rows[1][:3] == ("A-100 吧台", 4, 3)
    assert rows[-1][:2] == ("合计", 5)
    assert {row[0] for row in by_person.iter_rows(min_row=2, values_only=True)} == {
        "孙前台",
        "周领班",
        "合计",
    }
    month = client.get(reverse("frontdesk:figures") + "?period=month&month=2026-03").content.decode()
    assert "2026-03" in month
    assert "B-200 外卖" in month


@time_machine.travel(datetime.datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI), tick=False)
def test_floor_manager_home_shows_the_figures(client, fixed_calls):
    client.force_login(floor_manager_user())
    page = client.get(reverse("core:home")).content.decode()
    assert "前台电话" in page
    assert "三声内接听" in page
    assert "60.0%" in page


def test_figures_are_not_for_the_front_desk_or_requesters(client):
    client.force_login(front_desk_user())
    assert client.get(reverse("frontdesk:figures")).status_code == 403
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.get(reverse("frontdesk:figures_export")).status_code == 403


def test_a_bad_month_is_explained(client):
    client.force_login(floor_manager_user())
    page = client.get(reverse("frontdesk:figures") + "?period=month&month=2026-13").content.decode()
    assert "月份请按 YYYY-MM 填写。" in page


@time_machine.travel(datetime.datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI), tick=False)
def test_figure_rows_open_the_matching_call_log(client, fixed_calls):
    line_a, _line_b = fixed_calls
    client.force_login(floor_manager_user())
    page = client.get(reverse("frontdesk:figures") + "?period=month&month=2026-03").content.decode()
    assert f"?line={line_a.pk}&amp;from=2026-03-01&amp;to=2026-03-31" in page
