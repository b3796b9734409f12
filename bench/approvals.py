"""Benchmark the function-change pages and the adjustment-record export at a busy site's size.

Builds a throw-away test database with 5,000 function-change requests (most of them
approved and implemented, 300 pending) and 20,000 adjustment records, then times the
pages people use and the Excel export. Prints figures; never fails.

    .venv/bin/python bench/approvals.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench .venv/bin/python bench/approvals.py
"""

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

REQUESTS = 5_000
PENDING = 300
ADJUSTMENTS = 20_000


def build():
    from apps.accounts.models import Role
    from apps.accounts.services import user_create
    from apps.approvals.models import AdjustmentRecord, FunctionChange, FunctionChangeRevision

    engineer = user_create(username="bench-eng", password="x" * 12, name="王工", roles=[Role.ENGINEER])
    chief = user_create(username="bench-chief", password="x" * 12, name="李总工", roles=[Role.CHIEF_ENGINEER])
    now = timezone.now()
    kinds = [k for k, _ in FunctionChange._meta.get_field("kind").choices]
    changes = [
        FunctionChange(
            title=f"调整 {8000 + i % 2000} 的功能",
            kind=kinds[i % len(kinds)],
            target_scope="extensions",
            target_extensions=f"{8000 + i % 2000}",
            current_value="国内长途",
            wanted_value="仅市话",
            reason="控制话费",
            planned_start=now,
            planned_end=now + datetime.timedelta(hours=1),
            steps="修改类别",
            rollback_plan="恢复",
            status="submitted",
            submitted_at=now - datetime.timedelta(minutes=i),
            revision=1,
            requester=engineer,
        )
        for i in range(REQUESTS)
    ]
    FunctionChange.objects.bulk_create(changes, batch_size=1000)
    FunctionChangeRevision.objects.bulk_create(
        [FunctionChangeRevision(request=c, number=1, data=c.content(), created_by=engineer) for c in changes],
        batch_size=1000,
    )
    done = [c.pk for c in changes[PENDING:]]
    revision = FunctionChangeRevision.objects.filter(request=OuterRef("pk"), number=1).values("pk")[:1]
    FunctionChange.objects.filter(pk__in=done).update(
        status="implemented",
        decided_by=chief,
        decided_at=now,
        decided_revision=Subquery(revision),
        implemented_by=engineer,
        implemented_at=now,
    )
    AdjustmentRecord.objects.bulk_create(
        [
            AdjustmentRecord(
                source="manual",
                kind=kinds[i % len(kinds)],
                what=f"日常调整 {i}",
                target_scope="extensions",
                target_extensions=f"{8000 + i % 2000}",
                before_value="音量 3",
                after_value="音量 5",
                reason="用户反映",
                performed_by=engineer,
                performed_at=now - datetime.timedelta(minutes=i),
                recorded_by=engineer,
            )
            for i in range(ADJUSTMENTS)
        ],
        batch_size=2000,
    )
    return engineer, chief


def timed(client, url, repeat=5):
    client.get(url)
    best = None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        best = elapsed if best is None else min(best, elapsed)
    return best, len(ctx.captured_queries), response


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        engineer, chief = build()
        print(
            f"vendor {connection.vendor}; built {REQUESTS} requests, {ADJUSTMENTS} adjustment records "
            f"in {time.perf_counter() - start:.1f} s"
        )
        client = Client()
        client.force_login(chief)
        from apps.approvals.models import FunctionChange

        some = FunctionChange.objects.filter(status="implemented").first()
        for label, url in [
            ("home page (cards)", "/"),
            ("pending queue", "/approvals/queue/"),
            ("all requests, page 1", "/approvals/requests/"),
            ("all requests, filtered", "/approvals/requests/?kind=voicemail&status=implemented&q=80"),
            ("request detail", f"/approvals/{some.pk}/"),
            ("adjustment records, page 1", "/approvals/adjustments/"),
            ("adjustment records, search", "/approvals/adjustments/?q=8123"),
            ("API requests, page 1", "/api/approvals/requests/"),
        ]:
            best, queries, _ = timed(client, url)
            print(f"{label:<32} {best * 1000:8.1f} ms  {queries:3d} queries")
        start = time.perf_counter()
        _, _, response = timed(client, "/approvals/adjustments/export/", repeat=1)
        size = len(b"".join(response.streaming_content) if response.streaming else response.content)
        print(
            f"{'Excel export, ' + str(ADJUSTMENTS) + ' rows':<32} {time.perf_counter() - start:8.2f} s   "
            f"{size / 1024:.0f} KiB"
        )
        from apps.approvals.selectors import function_change_is_approved

        ids = list(FunctionChange.objects.values_list("pk", flat=True)[:1000])
        start = time.perf_counter()
        approved = sum(function_change_is_approved(request_id=pk) for pk in ids)
        per_call = (time.perf_counter() - start) / len(ids) * 1e6
        print(
            f"function_change_is_approved      {per_call:8.0f} µs per call ({approved} of {len(ids)} approved)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
