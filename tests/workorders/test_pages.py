"""The pages each role works in, the Excel export, the order sheet and the API."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.workorders import services
from apps.workorders.models import OrderKind, OrderStatus, WorkOrder
from tests.factories import DepartmentFactory
from tests.utils import assert_same_queries

from .factories import assigned_order, engineer, make_order, order_fields, requester

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    fields = order_fields(OrderKind.MOVE, **overrides)
    data = {k: v for k, v in fields.items() if v not in (None, False)}
    data["department"] = fields["department"].pk
    data["wanted_date"] = fields["wanted_date"].isoformat()
    return data


def test_requester_submits_a_move_order_from_the_form_and_follows_it(client):
    user = requester()
    client.force_login(user)
    response = client.post(reverse("workorders:create"), {**_form_data(), "submit": "1"})
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert order.status == OrderStatus.SUBMITTED
    page = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert order.number in page
    assert "已提交" in page
    mine = client.get(reverse("workorders:list") + "?scope=mine").content.decode()
    assert order.number in mine


def test_form_shows_a_clear_message_and_saves_nothing_on_bad_input(client):
    client.force_login(requester())
    response = client.post(reverse("workorders:create"), {**_form_data(extension=""), "submit": "1"})
    assert response.status_code == 200
    assert "分机" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_requester_sees_only_their_own_orders(client):
    mine = make_order(requester(username="me"))
    theirs = make_order(requester(username="other"))
    client.force_login(mine.requester)
    assert client.get(reverse("workorders:detail", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("workorders:list") + "?scope=mine").content.decode()
    assert mine.number in listing
    assert theirs.number not in listing
    assert client.get(reverse("workorders:list") + "?scope=waiting").status_code == 403
    api = client.get("/api/workorders/").json()
    assert [o["number"] for o in api["results"]] == [mine.number]


def test_requester_cannot_open_the_plan_or_complete_an_order(client):
    order = assigned_order()
    services.order_start(actor=order.assignee, order=order)
    client.force_login(order.requester)
    assert client.get(reverse("workorders:plan", args=[order.pk])).status_code == 403
    assert client.post(reverse("workorders:complete", args=[order.pk])).status_code == 403
    assert client.post(f"/api/workorders/{order.pk}/complete/").status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS


def test_engineer_assigns_from_the_waiting_list_and_sees_it_in_my_work(client):
    eng = engineer()
    order = make_order(submit=True)
    client.force_login(eng)
    waiting = client.get(reverse("workorders:list") + "?scope=waiting").content.decode()
    assert order.number in waiting
    client.post(reverse("workorders:assign", args=[order.pk]), {"assignee": eng.pk, "comment": "我来"})
    order.refresh_from_db()
    assert order.assignee == eng
    mine = client.get(reverse("workorders:list") + "?scope=assigned").content.decode()
    assert order.number in mine
    home = client.get(reverse("core:home")).content.decode()
    assert order.number in home


def test_wrong_state_action_gives_a_message_not_an_error(client):
    order = make_order(submit=True)
    client.force_login(order.requester)
    response = client.post(reverse("workorders:submit", args=[order.pk]), follow=True)
    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_overdue_list_shows_orders_past_their_wanted_date(client):
    late = make_order(submit=True, wanted_date=timezone.localdate() - datetime.timedelta(days=2))
    on_time = make_order(submit=True)
    client.force_login(engineer())
    page = client.get(reverse("workorders:list") + "?scope=overdue").content.decode()
    assert late.number in page
    assert on_time.number not in page
    assert "逾期" in page


def test_filters_narrow_the_list(client):
    move = make_order(submit=True)
    install = make_order(kind=OrderKind.INSTALL, submit=True)
    client.force_login(engineer())
    page = client.get(reverse("workorders:list") + "?scope=all&kind=install").content.decode()
    assert install.number in page
    assert move.number not in page
    page = client.get(reverse("workorders:list") + f"?scope=all&q={move.number}").content.decode()
    assert move.number in page
    assert install.number not in page


def test_excel_export_of_a_list_has_chinese_headers_and_the_orders(client):
    order = make_order(submit=True, notes="=HYPERLINK(1)")
    client.force_login(engineer())
    response = client.get(reverse("workorders:list") + "?scope=all&export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单号"
    assert rows[1][0] == order.number
    assert rows[1][-1] == "'=HYPERLINK(1)"


def test_printable_order_sheet_names_the_kind_and_the_plan(client):
    order = assigned_order()
    client.force_login(order.assignee)
    page = client.get(reverse("workorders:print", args=[order.pk])).content.decode()
    assert "移机单" in page
    assert order.number in page
    assert "@page" in page
    assert "A4" in page


@pytest.mark.parametrize("scope", ["mine", "waiting", "assigned", "overdue", "all"])
def test_lists_do_not_grow_queries_with_rows(client, scope):
    eng = engineer()
    user = requester(username="asker")
    eng.department = DepartmentFactory(code="eng", name="工程部")
    past = timezone.localdate() - datetime.timedelta(days=1)

    def add(n):
        for _ in range(n):
            order = make_order(user, submit=True, wanted_date=past)
            if scope == "assigned":
                services.order_assign(actor=eng, order=order, assignee=eng)

    viewer = user if scope == "mine" else eng
    client.force_login(viewer)
    assert_same_queries(client, reverse("workorders:list") + f"?scope={scope}", add)


def test_api_list_does_not_grow_queries_with_rows(client):
    user = requester()
    client.force_login(user)
    assert_same_queries(client, "/api/workorders/?scope=mine", lambda n: [make_order(user) for _ in range(n)])


def test_api_create_submit_assign_start_and_conflict(client):
    user = requester()
    eng = engineer()
    client.force_login(user)
    data = _form_data()
    data["submit"] = True
    response = client.post("/api/workorders/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    assert response.json()["status"] == "submitted"
    assert response.json()["number"].startswith("YJ-")
    again = client.post(f"/api/workorders/{order_id}/submit/", {}, content_type="application/json")
    assert again.status_code == 409
    assert "不能" in again.json()["detail"]
    client.force_login(eng)
    response = client.post(
        f"/api/workorders/{order_id}/assign/", {"assignee": eng.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    assert client.post(f"/api/workorders/{order_id}/start/").json()["status"] == "in_progress"
    detail = client.get(f"/api/workorders/{order_id}/").json()
    assert [h["to_status"] for h in detail["history"]] == ["draft", "submitted", "assigned", "in_progress"]


def test_api_bad_input_is_400_with_the_field(client):
    client.force_login(requester())
    data = _form_data(extension="")
    response = client.post("/api/workorders/", data, content_type="application/json")
    assert response.status_code == 400
    assert "extension" in response.json()
    assert WorkOrder.objects.count() == 0


def test_api_cancel_by_requester_frees_the_order(client):
    order = make_order(submit=True)
    client.force_login(order.requester)
    response = client.post(
        f"/api/workorders/{order.pk}/cancel/", {"reason": "不需要了"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_home_shows_a_requester_their_open_and_returned_orders(client):
    user = requester()
    order = make_order(user, submit=True)
    services.order_return(actor=engineer(), order=order, reason="请补充房间号")
    client.force_login(user)
    page = client.get(reverse("core:home")).content.decode()
    assert "我的工单申请" in page
    assert order.number in page
    assert "被退回" in page


def test_lists_sort_by_wanted_date(client):
    later = make_order(submit=True, wanted_date=timezone.localdate() + datetime.timedelta(days=9))
    sooner = make_order(submit=True, wanted_date=timezone.localdate() + datetime.timedelta(days=1))
    client.force_login(engineer())
    page = client.get(reverse("workorders:list") + "?scope=all&sort=wanted_date").content.decode()
    assert page.index(sooner.number) < page.index(later.number)
    page = client.get(reverse("workorders:list") + "?scope=all&sort=-wanted_date").content.decode()
    assert page.index(later.number) < page.index(sooner.number)
