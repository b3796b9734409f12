"""Demo report runs, so the report centre has files to show. Safe to run again."""

from apps.accounts.models import User

from . import services
from .models import ReportRun
from .registry import kind_get

DEMO_RUNS = [
    ("distribution_table", {}),
    ("jumper_history", {"period": "last_30_days"}),
    ("faults", {"period": "last_30_days"}),
    ("sales_results", {"period": "this_month"}),
    ("users", {}),
    ("audit", {"period": "today"}),
]


def seed(*, stdout) -> None:
    admin = User.objects.filter(username="admin").first()
    if admin is None or ReportRun.objects.exists():
        return
    made = 0
    for kind, params in DEMO_RUNS:
        if kind_get(kind) is None:
            continue
        run = services.report_run_request(kind_code=kind, parameters=params, actor=admin)
        services.report_run_execute(run_id=run.pk)
        made += 1
    stdout.write(f"reports: {made} demo report runs\n")
