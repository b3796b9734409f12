"""Front-desk phone: how long the figures, the call log and the overdue check take at volume.

Generates a month of calls on a few lines (default 30,000, about 1,000 a day, a third with a
promised callback), then times the monthly and daily figures, the first page of the call
log and of the callback list (as a floor manager), and one overdue-callback check. Everything
runs in one transaction that is rolled back, so the database is left as it was.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench .venv/bin/python bench/frontdesk.py [calls]
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Plain static storage and in-process tasks: the figures measure the app, not collectstatic.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.test_settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role  # noqa: E402
from apps.accounts.services import user_create  # noqa: E402
from apps.frontdesk.models import Call, Callback, Line  # noqa: E402
from apps.frontdesk.selectors import day_range, figures, month_range  # noqa: E402
from apps.frontdesk.services import callbacks_notify_overdue  # noqa: E402


class Rollback(Exception):
    pass


def timed(label, fn, repeat=3):
    best = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"  {label:<44} {best * 1000:8.1f} ms  {len(queries.captured_queries):3d} queries")


def generate(total: int):
    rng = random.Random(42)
    people = [
        user_create(username=f"bench-fd-{i}", name=f"前台{i}", roles=[Role.FRONT_DESK]) for i in range(12)
    ]
    manager = user_create(username="bench-fd-manager", name="经理", roles=[Role.FLOOR_MANAGER])
    lines = [
        Line.objects.create(number=f"BENCH-{i}", name=f"线路{i}", greeting="您好", callback_minutes=30)
        for i in range(4)
    ]
    now = timezone.now()
    start = now - datetime.timedelta(days=30)
    calls = []
    for i in range(total):
        moment = start + datetime.timedelta(seconds=rng.randint(0, 30 * 86400))
        callback = i % 3 == 0
        calls.append(
            Call(
                line=rng.choice(lines),
                answered_by=rng.choice(people),
                answered_at=moment,
                rings=rng.randint(1, 6),
                caller_name="张先生",
                caller_number="13800001111",
                kind=Call.Kind.ORDER,
                request="订位",
                confirmed=rng.random() < 0.8,
                outcome=Call.Outcome.CALLBACK if callback else Call.Outcome.HANDLED,
            )
        )
    Call.objects.bulk_create(calls, batch_size=2000)
    callbacks = []
    for call in Call.objects.filter(outcome=Call.Outcome.CALLBACK).only(
        "pk", "answered_at", "answered_by_id"
    ):
        due = call.answered_at + datetime.timedelta(minutes=30)
        roll = rng.random()
        done = None if roll < 0.1 else call.answered_at + datetime.timedelta(minutes=rng.randint(5, 50))
        callbacks.append(
            Callback(
                call_id=call.pk,
                due_at=due,
                done_at=done if done and done < now else None,
                done_by_id=call.answered_by_id if done and done < now else None,
                overdue_notified_at=due if roll < 0.09 else None,
            )
        )
    Callback.objects.bulk_create(callbacks, batch_size=2000)
    return manager


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    call_command("migrate", verbosity=0)
    print(f"front desk, {connection.vendor}, {total} calls over 30 days")
    try:
        with transaction.atomic():
            began = time.perf_counter()
            manager = generate(total)
            print(f"  generated in {time.perf_counter() - began:.1f} s")
            today = timezone.localdate()
            timed("monthly figures (per line and person)", lambda: figures(**_range(month_range(today))))
            timed("daily figures", lambda: figures(**_range(day_range(today))))
            client = Client()
            client.force_login(manager)
            for url in (
                "/frontdesk/calls/",
                "/frontdesk/callbacks/",
                "/frontdesk/figures/?period=month",
                "/",
            ):
                timed(f"GET {url}", lambda url=url: client.get(url))
            timed("overdue check (first run sends)", callbacks_notify_overdue, repeat=1)
            timed("overdue check (nothing new)", callbacks_notify_overdue)
            raise Rollback
    except Rollback:
        pass


def _range(bounds):
    return {"start": bounds[0], "end": bounds[1]}


if __name__ == "__main__":
    main()
