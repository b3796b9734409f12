"""Shared fixtures, and the rules for tests that need PostgreSQL, Redis or Chromium.

Those tests are skipped with a reason on a bare machine. CI sets TELROOM_REQUIRE
(for example "postgres,redis,browser") and then a missing service fails the run
instead of skipping quietly.
"""

import os
import shutil

import pytest
from django.conf import settings

from apps.core.i18n import compile_translations

CHROMIUM = "/usr/bin/chromium"

pytest_plugins = ["tests.browser", "tests.celery_worker"]


def _required() -> set[str]:
    return {name.strip() for name in os.environ.get("TELROOM_REQUIRE", "").split(",") if name.strip()}


def _unavailable(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis and a Celery worker: set REDIS_URL=redis://…"
    if marker == "browser":
        if not shutil.which(CHROMIUM):
            return f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs Playwright for Python (pip install playwright)"
    return None


def pytest_configure(config):
    if compile_translations():
        # Catalogues may already be cached from Django's set-up: read the fresh .mo files.
        import gettext as gettext_module

        from asgiref.local import Local
        from django.utils.translation import trans_real

        gettext_module._translations.clear()  # the standard library caches parsed .mo files by path
        trans_real._translations.clear()
        trans_real._default = None
        trans_real._active = Local()


def pytest_collection_modifyitems(config, items):
    for marker in sorted(_required()):
        reason = _unavailable(marker)
        if reason:
            raise pytest.UsageError(f"TELROOM_REQUIRE asks for {marker}, but it is missing: {reason}")
    for item in items:
        for marker in ("postgres", "redis", "browser"):
            if item.get_closest_marker(marker) is not None and (reason := _unavailable(marker)):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    return
