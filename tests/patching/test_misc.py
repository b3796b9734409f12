import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.patching.models import PatchEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_api_schema_describes_the_patch_table(eng_client):
    response = eng_client.get("/api/schema/")
    assert response.status_code == 200
    assert "/api/patching/jumpers/" in response.content.decode()


def test_the_home_card_shows_todays_changes(eng_client, plant):
    plant.add_phone(1)
    body = eng_client.get(reverse("core:home")).content.decode()
    assert "我今天的配线变更" in body
    assert "MDF-1/H01/01" in body


def test_history_is_read_only_in_the_admin(client, plant):
    plant.add_phone(1)
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    client.force_login(admin)
    entry = PatchEvent.objects.first()
    assert client.get(reverse("admin:patching_patchevent_changelist")).status_code == 200
    response = client.post(reverse("admin:patching_patchevent_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert PatchEvent.objects.filter(pk=entry.pk).exists()


def test_demo_data_builds_a_building_with_about_200_extensions(db):
    import io

    from apps.patching import demo
    from apps.patching.models import Extension, Frame

    demo.seed(stdout=io.StringIO())
    demo.seed(stdout=io.StringIO())  # idempotent
    assert Extension.objects.count() == 200
    assert Frame.objects.filter(kind="main").count() == 1
    assert Frame.objects.filter(kind="floor").count() == 4


def test_a_block_made_in_the_admin_gets_its_terminals(client, plant):
    from apps.patching.models import Frame, Terminal

    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    client.force_login(admin)
    frame = Frame.objects.get(code="MDF-1")
    response = client.post(
        reverse("admin:patching_block_add"), {"frame": frame.pk, "code": "V05", "side": "line", "size": 25}
    )
    assert response.status_code == 302
    assert Terminal.objects.filter(designation__startswith="MDF-1/V05/").count() == 25
