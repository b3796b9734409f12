import time

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.audit import audit_actor
from apps.core.excel import SpreadsheetError
from apps.patching.excel_io import table_import


class Command(BaseCommand):
    help = (
        "Import an Excel distribution table: every bad row is listed and nothing changes unless all are good."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and change nothing")
        parser.add_argument("--user", help="username recorded in the history (default: the first superuser)")

    def handle(self, *args, file, dry_run, user=None, **options):
        actor = User.objects.filter(username=user).first() if user else None
        if user and actor is None:
            raise CommandError(f"No user {user}.")
        if actor is None:
            actor = User.objects.filter(is_superuser=True).order_by("pk").first()
        started = time.perf_counter()
        try:
            with audit_actor(actor):
                result = table_import(file, actor=actor, dry_run=dry_run)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        for row, message in result.errors:
            self.stdout.write(f"row {row}: {message}")
        took = time.perf_counter() - started
        if result.errors:
            raise CommandError(f"{len(result.errors)} problems in {result.rows} rows; nothing was imported.")
        if dry_run:
            self.stdout.write(f"{result.rows} rows are good (dry run, nothing changed) in {took:.1f} s")
        else:
            self.stdout.write(f"{result.rows} rows imported in {took:.1f} s: {result.created}")
