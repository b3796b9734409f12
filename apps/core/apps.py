from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Each app registers its navigation entries and home-page cards in ``<app>/ui.py``.
        autodiscover_modules("ui")
