"""Demo report runs, so the report centre has files to show. Safe to run again."""

from apps.accounts.models import User

from . import services
from .models import ReportRun


def seed(*, stdout) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None or ReportRun.objects.exists():
        return
    for kind, params in (("users", {}), ("audit", {"period": "today"})):
        run = services.report_run_request(kind_code=kind, parameters=params, actor=admin)
        services.report_run_execute(run_id=run.pk)
    stdout.write("reports: 2 demo report runs\n")
