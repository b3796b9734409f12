from django.core.management.base import BaseCommand

from apps.core.i18n import compile_translations, po_files


class Command(BaseCommand):
    help = "Compile every .po file of the project to .mo (no GNU gettext needed)."

    def handle(self, *args, **options):
        written = compile_translations()
        self.stdout.write(f"{len(written)} of {len(po_files())} translation files compiled.")
