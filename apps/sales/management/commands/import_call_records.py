from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.sales.services import ImportFailed, call_records_import


class Command(BaseCommand):
    help = "Import PBX call records (CSV or Excel .xlsx) and match them to sales reps by extension."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file of call records")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        with path.open("rb") as handle:
            try:
                report = call_records_import(actor=None, file=handle, file_name=path.name)
            except ImportFailed as exc:
                for line in exc.errors:
                    self.stderr.write(str(line))
                raise CommandError(f"Nothing imported: {len(exc.errors)} problem(s).") from exc
        self.stdout.write(
            f"{report.rows} rows: {report.created} calls added, {report.confirmed} hand-logged calls confirmed, "
            f"{report.duplicates} duplicates and {report.other_staff} calls of other staff skipped."
        )
