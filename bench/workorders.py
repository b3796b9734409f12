"""Work-order lists and export at scale: how long the role lists, the API list and the Excel export take.

Creates a throw-away test database, fills it with ORDERS orders (bulk insert, spread over
states, kinds and dates), then times each list page, the API list and the export.

    .venv/bin/python bench/workorders.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench .venv/bin/python bench/workorders.py
"""

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "20000"))


def main() -> None:
    from django.contrib.auth.models import Group

    from apps.accounts.models import Department, User
    from apps.workorders.models import NUMBER_PREFIXES, OrderKind, OrderStatus, WorkOrder

    rng = random.Random(4)
    dept = Department.objects.create(name="行政部", code="admin")
    requester = User.objects.create_user("asker", password="x", department=dept)
    requester.groups.add(Group.objects.get(name="requester"))
    engineer = User.objects.create_user("eng", password="x", department=dept)
    engineer.groups.add(Group.objects.get(name="engineer"))
    today = timezone.localdate()
    statuses = [s for s in OrderStatus.values]
    rows = []
    for i in range(ORDERS):
        kind = rng.choice(OrderKind.values)
        status = rng.choice(statuses)
        rows.append(
            WorkOrder(
                number=f"{NUMBER_PREFIXES[kind]}-{today.year}-{i + 1:05d}",
                kind=kind,
                status=status,
                requester=requester if i % 10 == 0 else engineer,
                department=dept,
                person=f"员工{i}",
                contact_phone="8101",
                building="A",
                room=str(100 + i % 900),
                extension="" if kind == OrderKind.INSTALL else str(10000 + i),
                assign_extension=kind == OrderKind.INSTALL,
                wanted_date=today + datetime.timedelta(days=rng.randint(-30, 30)),
                assignee=engineer if status in ("assigned", "in_progress", "completed") else None,
                completed_at=timezone.now() if status == "completed" else None,
                return_reason="x" if status == "returned" else "",
            )
        )
    started = time.perf_counter()
    WorkOrder.objects.bulk_create(rows, batch_size=2000)
    print(f"inserted {ORDERS} orders in {time.perf_counter() - started:.1f} s")

    client = Client(HTTP_HOST="localhost")
    for who, user, urls in (
        ("requester", requester, ["/workorders/?scope=mine"]),
        (
            "engineer",
            engineer,
            [
                "/workorders/?scope=waiting",
                "/workorders/?scope=assigned",
                "/workorders/?scope=overdue",
                "/workorders/?scope=all",
                "/workorders/?scope=all&q=YJ-&kind=move",
                "/workorders/?scope=all&page=200",
                "/api/workorders/?scope=all",
            ],
        ),
    ):
        client.force_login(user)
        for url in urls:
            client.get(url)
            times = []
            for _ in range(5):
                with CaptureQueriesContext(connection) as ctx:
                    t = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - t)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{who:9} {url:45} median {sorted(times)[2] * 1000:7.1f} ms, {len(ctx.captured_queries)} queries"
            )
    client.force_login(engineer)
    t = time.perf_counter()
    response = client.get("/workorders/?scope=all&export=xlsx")
    print(f"export of {ORDERS} orders: {time.perf_counter() - t:.1f} s, {len(response.content) / 1e6:.1f} MB")


if __name__ == "__main__":
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old = setup_databases(verbosity=0, interactive=False)
    try:
        with override_settings(STORAGES=storages, ALLOWED_HOSTS=["localhost"]):
            main()
    finally:
        teardown_databases(old, verbosity=0)
