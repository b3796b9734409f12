"""Settings for the test suite: the same as production shape, made fast."""

from .settings import *  # noqa: F403
from .settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Tests run tasks in-process; the tests that need a real worker switch this off.
CELERY_TASK_ALWAYS_EAGER = True
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
