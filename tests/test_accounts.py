import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from apps.accounts.models import Role, User
from apps.accounts.roles import declared_permissions, sync_groups
from apps.accounts.services import user_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migrate_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_groups_get_exactly_the_declared_permissions_back_after_drift():
    group = Group.objects.get(name=Role.ADMINISTRATOR)
    group.permissions.clear()
    sync_groups()
    names = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert names == declared_permissions()[Role.ADMINISTRATOR]
    assert "accounts.change_user" in names


def test_user_create_refuses_unknown_role_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        user_create(username="x1", password="long-pass-123", roles=["janitor"])
    assert "roles" in excinfo.value.message_dict
    assert not User.objects.filter(username="x1").exists()


def test_login_page_is_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_browser_accept_language_does_not_switch_to_english(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()


def test_wrong_password_says_so_without_naming_the_wrong_part(client):
    UserFactory(username="wang")
    response = client.post(reverse("accounts:login"), {"username": "wang", "password": "nope"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "用户名" in text
    assert "密码" in text
    response_unknown = client.post(reverse("accounts:login"), {"username": "nobody", "password": "nope"})
    # The same sentence whether the user exists or not.
    assert response_unknown.context["form"].non_field_errors() == response.context["form"].non_field_errors()


def test_repeated_failed_logins_are_throttled_even_with_the_right_password(client, settings):
    UserFactory(username="li")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "li", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "li", "password": "secret-pass-123"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_lands_on_home(client):
    UserFactory(username="zhao")
    response = client.post(
        reverse("accounts:login"), {"username": "zhao", "password": "secret-pass-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert "今天的工作" in response.content.decode()


def test_language_choice_is_remembered_on_the_user(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    client.cookies.clear()
    client.force_login(user)
    assert "your work today" in client.get(reverse("core:home")).content.decode()


def test_language_switch_ignores_a_foreign_next_address(client):
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_password_change_requires_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "bad", "new_password1": "An0ther-long-pass", "new_password2": "An0ther-long-pass"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("secret-pass-123")


def test_user_cannot_be_their_own_supervisor():
    user = UserFactory()
    user.supervisor = user
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
