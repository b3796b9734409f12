import time

from django.core.management.base import BaseCommand, CommandError

from apps.patching.excel_io import table_export
from apps.patching.selectors import parse_moment


class Command(BaseCommand):
    help = (
        "Write the distribution table to an .xlsx file (streamed), optionally as it stood --at a past moment."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--at", help='a past moment, "YYYY-MM-DD HH:MM" (Asia/Shanghai)')

    def handle(self, *args, file, at=None, **options):
        moment = None
        if at:
            try:
                moment = parse_moment(at)
            except ValueError as exc:
                raise CommandError('--at must look like "2026-03-01 09:30".') from exc
        started = time.perf_counter()
        rows = table_export(file, at=moment)
        self.stdout.write(f"{rows} rows written to {file} in {time.perf_counter() - started:.1f} s")
