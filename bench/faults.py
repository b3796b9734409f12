"""Faults at scale: the engineers' queue, the statistics page and the escalation run.

Builds a throw-away test database (SQLite, or PostgreSQL when DATABASE_URL is set) with
FAULTS faults over the last year, OPEN of them still open, and prints how long the
pages and the periodic escalation take, and how many queries they make.

    .venv/bin/python bench/faults.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench .venv/bin/python bench/faults.py
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

FAULTS = int(os.environ.get("BENCH_FAULTS", "20000"))
OPEN = int(os.environ.get("BENCH_OPEN", "500"))


def page(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def timed(label, func, repeat=3):
    best = None
    queries = 0
    for _ in range(repeat):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = func()
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        queries = len(ctx.captured_queries)
    print(f"{label:<48} {best * 1000:8.1f} ms  {queries:4d} queries")
    return result


def build():
    from django.contrib.auth.models import Group

    from apps.accounts.models import Role, User
    from apps.faults.models import Cause, Fault, FaultNumberCounter, ItemKind, Severity

    engineer = User.objects.create(username="bench-engineer", name="王工")
    engineer.groups.set(Group.objects.filter(name=Role.ENGINEER))
    reporter = User.objects.create(username="bench-requester", name="赵行政")
    rng = random.Random(6)
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    for n in range(1, FAULTS + 1):
        reported = now - datetime.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        is_open = n <= OPEN
        ack = None if is_open and n % 3 == 0 else reported + datetime.timedelta(minutes=rng.randint(1, 240))
        restored = None if is_open else ack + datetime.timedelta(minutes=rng.randint(10, 4000))
        rows.append(
            Fault(
                number=f"GZ-2026-{n:05d}",
                year=2026,
                sequence=n,
                item_kind=rng.choice(ItemKind.values),
                item=str(8000 + rng.randint(0, 3000)),
                symptom="无拨号音",
                severity=rng.choice(Severity.values),
                channel="phone",
                reporter=reporter,
                reported_at=reported,
                status=("reported" if ack is None else "acknowledged") if is_open else "closed",
                acknowledged_at=ack,
                restored_at=restored,
                closed_at=restored,
                cause="" if is_open else rng.choice(Cause.values),
            )
        )
    Fault.objects.bulk_create(rows, batch_size=2000)
    FaultNumberCounter.objects.create(year=2026, last=FAULTS)
    return engineer


def main():
    from django.test import Client

    from apps.faults import selectors, services

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        start = time.perf_counter()
        engineer = build()
        print(
            f"{FAULTS} faults ({OPEN} open) on {connection.vendor}, built in {time.perf_counter() - start:.1f} s"
        )
        client = Client()
        client.force_login(engineer)
        timed("fault queue page (open faults)", page(client, "/faults/"))
        timed("all faults page, page 100", page(client, "/faults/?status=&page=100"))
        timed("home page with the fault cards", page(client, "/"))
        timed("statistics selector (12 months)", selectors.fault_statistics)
        timed("statistics page", page(client, "/faults/statistics/"))
        timed(
            "Excel export (12 months)",
            lambda: b"".join(page(client, "/faults/statistics/export/")().streaming_content),
            1,
        )
        first = timed("escalation run, first (notifies)", services.faults_escalate_overdue, 1)
        print(f"  {len(first)} escalations recorded")
        again = timed("escalation run, again (nothing new)", services.faults_escalate_overdue)
        print(f"  {len(again)} escalations recorded")
        timed(
            "report one fault",
            lambda: services.fault_report(
                actor=engineer, item_kind="extension", item="8123", symptom="无拨号音"
            ),
        )
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
