import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.patching import services
from tests.factories import UserFactory
from tests.utils import assert_same_queries

pytestmark = pytest.mark.django_db


def test_the_frames_page_counts_terminals_by_status(eng_client, plant):
    plant.add_phone(1)
    services.terminal_set_faulty(terminal="MDF-1/V01/09", faulty=True, actor=plant.actor, reason="损坏")
    body = eng_client.get(reverse("patching:frames")).content.decode()
    assert "配线架" in body
    assert reverse("patching:frame", args=["MDF-1"]) in body
    assert "IDF-A01" in body


def test_a_frame_shows_each_terminal_with_its_status(eng_client, plant):
    plant.add_phone(1)
    services.terminal_set_faulty(terminal="MDF-1/V01/09", faulty=True, actor=plant.actor, reason="损坏")
    body = eng_client.get(reverse("patching:frame", args=["mdf-1"])).content.decode()
    assert 'title="MDF-1/V01/09" data-status="faulty"' in body
    assert 'title="MDF-1/V01/01" data-status="in_use"' in body
    assert 'title="MDF-1/V01/02" data-status="free"' in body
    assert eng_client.get(reverse("patching:frame", args=["NOPE"])).status_code == 404


def test_requesters_do_not_see_frames(client, plant):
    client.force_login(UserFactory(roles=[Role.REQUESTER]))
    assert client.get(reverse("patching:frames")).status_code == 403


def test_frames_page_queries_do_not_grow(eng_client, plant):
    def add(k):
        for n in range(k):
            services.frame_create(code=f"IDF-X{plant.count}{n}")
        plant.count += 1

    assert_same_queries(eng_client, reverse("patching:frames"), add)


def test_frame_page_queries_do_not_grow(eng_client, plant):
    def add(k):
        for _ in range(k):
            plant.count += 1
            services.block_create(frame="MDF-1", code=f"V{plant.count + 10}", side="line", size=10)
        plant.add_phone()

    assert_same_queries(eng_client, reverse("patching:frame", args=["MDF-1"]), add)
