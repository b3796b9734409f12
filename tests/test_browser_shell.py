import pytest

from apps.accounts.models import Role
from tests.browser import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_see_chinese_home_switch_to_english_and_log_out(live_server, page):
    UserFactory(username="wang", name="王工", roles=[Role.ENGINEER])
    login(page, live_server, "wang")
    assert "王工，您好：这是您今天的工作" in page.inner_text("[data-testid=home-title]")
    page.click("[data-testid=language-en]")
    page.wait_for_selector("text=Hello, 王工: your work today")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-submit]")
    assert page.url.endswith("/accounts/login/")
    # The choice outlives the session: the login page stays in English.
    assert "Log in to Telroom" in page.content()
