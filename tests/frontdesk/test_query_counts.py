import itertools

import pytest
from django.urls import reverse

from apps.frontdesk.models import Call
from apps.frontdesk.services import use_request_submit
from tests.utils import assert_same_queries

from .factories import floor_manager_user, front_desk_user, log_call, make_line

pytestmark = pytest.mark.django_db
_people = itertools.count()


def _calls_adder(line):
    def add(n):
        for _ in range(n):
            desk = front_desk_user(username=f"qc{next(_people)}")
            log_call(actor=desk, line=line, outcome=Call.Outcome.CALLBACK)
            log_call(actor=desk, line=line)

    return add


@pytest.mark.parametrize(
    "url",
    [
        "frontdesk:call_list",
        "frontdesk:callback_list",
        "frontdesk:figures",
        "frontdesk:call_new",
        "core:home",
    ],
)
def test_front_desk_pages_do_not_grow_queries_with_rows(client, url):
    line = make_line()
    client.force_login(floor_manager_user())
    assert_same_queries(client, reverse(url), _calls_adder(line))


def test_done_callbacks_do_not_grow_queries(client):
    from apps.frontdesk.services import callback_complete

    line = make_line()
    desk = front_desk_user()

    def add(n):
        for _ in range(n):
            call = log_call(actor=desk, line=line, outcome=Call.Outcome.CALLBACK)
            callback_complete(actor=desk, callback=call.callback)

    client.force_login(desk)
    assert_same_queries(client, reverse("frontdesk:callback_list") + "?state=done", add)


def test_use_request_list_does_not_grow_queries(client):
    line = make_line()

    def add(n):
        for i in range(n):
            use_request_submit(
                actor=front_desk_user(username=f"ur{next(_people)}"),
                reason="私事",
                line=line if i % 2 else None,
            )

    client.force_login(floor_manager_user())
    assert_same_queries(client, reverse("frontdesk:use_request_list"), add)


def test_line_list_does_not_grow_queries(client):
    def add(n):
        for _ in range(n):
            make_line()

    client.force_login(floor_manager_user())
    assert_same_queries(client, reverse("frontdesk:line_list"), add)


@pytest.mark.parametrize("url", ["/api/frontdesk/calls/", "/api/frontdesk/callbacks/?state=all"])
def test_api_lists_do_not_grow_queries(client, url):
    client.force_login(front_desk_user(username="api-reader"))
    assert_same_queries(client, url, _calls_adder(make_line()))


def test_use_request_api_does_not_grow_queries(client):
    def add(n):
        for _ in range(n):
            use_request_submit(actor=front_desk_user(username=f"ua{next(_people)}"), reason="私事")

    client.force_login(floor_manager_user())
    assert_same_queries(client, "/api/frontdesk/use-requests/", add)
