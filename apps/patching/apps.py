from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatchingConfig(AppConfig):
    name = "apps.patching"
    label = "patching"
    verbose_name = _("Patch table")
