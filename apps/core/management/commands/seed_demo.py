from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create demo users (one per role) and each app's demo data. Safe to run again."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            if not config.name.startswith("apps."):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed(stdout=self.stdout)
