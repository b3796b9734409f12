"""Report workbooks: time and peak memory for 100,000 and 1,000,000 rows.

Each size runs in a fresh process, so the peak resident memory (ru_maxrss) belongs to that
run alone; the figure that matters is how much it grows over the process's baseline, which
must stay flat however many rows are written (openpyxl write-only streams to disk).

Sources:
- ``synthetic`` (default): rows shaped like the jumper-change history (time, terminals,
  action, engineer, work order, reason), generated in the report kind itself, so the
  figures isolate the workbook pipeline (ReportWriter, neutralisation, storage).
- ``jumper``: the real jumper-change history kind reading the patch table's history
  (PatchEvent) through ``apps.patching.selectors.jumper_history``; the history is generated
  first, in its own process, with the patching app's campus builder (a small plant whose
  older connect/disconnect churn brings the history to the wanted size).
- ``audit``: the real audit-trail kind reading LogEntry rows through the ORM; the rows are
  inserted first (in their own process), which takes a while for a million.

Run, embedded (a throw-away SQLite database in a temporary directory):
    .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --source jumper
    .venv/bin/python bench/reports.py --source audit --rows 100000
On PostgreSQL:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench .venv/bin/python bench/reports.py --source audit
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _register_synthetic(rows: int) -> None:
    from apps.core.excel import Column
    from apps.reports.registry import register_kind

    actions = ["接通", "拆除", "移动"]
    reasons = ["装机单", "移机单", "故障处理", "=SUM(A1)", "例行整理"]
    start = datetime.datetime(2026, 1, 1, 8, 0)  # noqa: DTZ001 - naive local time, as Excel keeps it

    @register_kind(
        code="bench_history", label="跳线变更记录（合成）", run_permissions=("accounts.view_user",)
    )
    def build(report, params):
        sheet = report.detail(
            "跳线变更",
            [
                Column("时间", 18),
                Column("配线架", 10),
                Column("端子 A", 16),
                Column("端子 B", 16),
                Column("操作", 8),
                Column("工程师", 10),
                Column("工单", 12),
                Column("原因", 30),
            ],
        )
        counts = dict.fromkeys(actions, 0)
        for i in range(rows):
            action = actions[i % 3]
            counts[action] += 1
            sheet.append(
                [
                    start + datetime.timedelta(seconds=37 * i),
                    f"MDF-{i % 4 + 1}",
                    f"MDF-{i % 4 + 1}/H{i % 40:02d}/{i % 100 + 1}",
                    f"MDF-{i % 4 + 1}/V{i % 60:02d}/{i % 128 + 1}",
                    action,
                    f"工程师{i % 25}",
                    f"WO-{i // 7:07d}",
                    reasons[i % 5],
                ]
            )
        for action, count in counts.items():
            report.summary_row(action, count)


def child_seed_jumper(rows: int) -> None:
    """Generate a small plant whose history holds ``rows`` entries (the patching campus builder)."""
    _setup()
    from django.core.management import call_command

    from apps.patching.campus import Shape, build
    from apps.patching.models import Building, PatchEvent

    call_command("migrate", verbosity=0)
    if Building.objects.exists():
        PatchEvent.objects.all().delete()  # a fresh database is best; this keeps a rerun honest
    build(shape=Shape(buildings=1, floors=2, history=rows), seed=1, first_building=Building.objects.count())


def child_seed(rows: int) -> None:
    """Insert ``rows`` audit entries (an update of a department each) in batches."""
    _setup()
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.utils import timezone

    from apps.accounts.models import Department

    call_command("migrate", verbosity=0)
    LogEntry.objects.all().delete()
    ct = ContentType.objects.get_for_model(Department)
    day = timezone.localdate() - datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    step = 86_000 / rows
    batch = []
    for i in range(rows):
        batch.append(
            LogEntry(
                content_type=ct,
                object_pk=str(i % 50),
                object_id=i % 50,
                object_repr=f"部门{i % 50}",
                action=LogEntry.Action.UPDATE,
                changes={"name": [f"部门{i}", f"部门{i + 1}"], "email": ["", f"d{i}@example.com"]},
                timestamp=start + datetime.timedelta(seconds=i * step),
            )
        )
        if len(batch) == 10_000:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def child_measure(rows: int, source: str) -> None:
    """Produce one report through the real run pipeline; print its figures as JSON."""
    _setup()
    from django.core.management import call_command
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.reports import services
    from apps.reports.models import ReportRun

    call_command("migrate", verbosity=0)
    if source == "synthetic":
        _register_synthetic(rows)
    actor, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    baseline = _rss_mb()
    kind, params = {
        "synthetic": ("bench_history", {}),
        "audit": ("audit", {"period": "yesterday"}),
        "jumper": (
            "jumper_history",
            {"period": "custom", "date_from": "2000-01-01", "date_to": timezone.localdate().isoformat()},
        ),
    }[source]
    started = time.perf_counter()
    run = services.report_run_request(kind_code=kind, parameters=params, actor=actor)
    run = services.report_run_execute(run_id=run.pk)  # eager already ran it; this returns the same run
    run = ReportRun.objects.get(pk=run.pk)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rows": run.row_count,
                "status": run.status,
                "error": run.error,
                "seconds": round(elapsed, 1),
                "rows_per_second": round(run.row_count / elapsed) if run.row_count else 0,
                "file_mb": round((run.file_size or 0) / 1048576, 1),
                "baseline_mb": round(baseline, 1),
                "peak_mb": round(_rss_mb(), 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--source", choices=["synthetic", "jumper", "audit"], default="synthetic")
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        return child_seed_jumper(args.rows[0]) if args.source == "jumper" else child_seed(args.rows[0])
    if args.child == "measure":
        return child_measure(args.rows[0], args.source)

    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # the run is timed in-process
    scratch = None
    if not env.get("DATABASE_URL"):
        scratch = tempfile.TemporaryDirectory(prefix="telroom-bench-")
        env["TELROOM_VAR_DIR"] = scratch.name
    env.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="telroom-bench-media-"))
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    from openpyxl import LXML

    writer = "lxml" if LXML else "pure Python"
    print(
        f"Report benchmark: source={args.source}, database={database}, XML writer {writer}, tasks in-process"
    )
    print(
        f"{'rows':>10} {'seconds':>8} {'rows/s':>8} {'file MB':>8} {'base MB':>8} {'peak MB':>8} {'growth':>7}"
    )
    for rows in args.rows:
        me = [sys.executable, __file__, "--rows", str(rows), "--source", args.source]
        if args.source != "synthetic":
            subprocess.run([*me, "--child", "seed"], env=env, check=True)
        out = subprocess.run([*me, "--child", "measure"], env=env, check=True, capture_output=True, text=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        if figures["status"] != "succeeded":
            print(f"{rows:>10} failed: {figures['error']}")
            continue
        growth = figures["peak_mb"] - figures["baseline_mb"]
        print(
            f"{figures['rows']:>10,} {figures['seconds']:>8} {figures['rows_per_second']:>8,} "
            f"{figures['file_mb']:>8} {figures['baseline_mb']:>8} {figures['peak_mb']:>8} {growth:>6.1f}M"
        )
    if scratch is not None:
        scratch.cleanup()


if __name__ == "__main__":
    main()
