from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from .roles import sync_groups_after_migrate

        # Connected to this app only: the handler creates every app's permissions itself,
        # so it does not depend on the order in which apps receive post_migrate.
        post_migrate.connect(sync_groups_after_migrate, sender=self, dispatch_uid="telroom_sync_groups")
