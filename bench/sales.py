"""Sales quotas at campus scale: 300 reps, one month of calls (about 1.1 million).

Prints: closing one day for all reps (target < 3 s), the team board (< 100 ms, constant
queries), one rep's monthly statement and the team's monthly Excel (< 10 s).

    python bench/sales.py                     # SQLite in var/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench python bench/sales.py
    BENCH_REPS=50 python bench/sales.py        # a smaller floor
"""

import datetime
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telroom.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.core.calendar import month_bounds  # noqa: E402
from apps.sales.exports import statement_workbook  # noqa: E402
from apps.sales.models import DayResult  # noqa: E402
from apps.sales.selectors import month_statement, team_board  # noqa: E402
from apps.sales.services import quota_days_close  # noqa: E402


def timed(label, function, target=None):
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = function()
    elapsed = time.perf_counter() - start
    goal = f" (target < {target})" if target else ""
    print(f"{label:<45} {elapsed * 1000:9.1f} ms  {len(queries.captured_queries):5d} queries{goal}")
    return result


def main():
    reps = int(os.environ.get("BENCH_REPS", "300"))
    month = os.environ.get("BENCH_MONTH", "2026-02")
    vendor = connection.vendor
    print(f"database: {vendor}; {reps} reps; month {month}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("generate_sales_campus", reps=reps, month=month, stdout=io.StringIO())
    print(f"{'generate (or reuse) the month':<45} {time.perf_counter() - start:9.1f} s")
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from apps.sales.models import Call

    print(f"{'calls in the database':<45} {Call.objects.count():9d}")
    print(f"{'machine load average (1 min)':<45} {os.getloadavg()[0]:9.1f}")
    first, last = month_bounds(datetime.date.fromisoformat(month + "-01"))
    members = list(User.objects.filter(username__startswith="campus-rep-").order_by("username")[:reps])
    supervisor = User.objects.get(username="campus-supervisor")
    day = first + datetime.timedelta(days=(2 - first.weekday()) % 7)  # the first Wednesday
    DayResult.objects.filter(rep__in=members, date__gte=first, date__lte=last).delete()
    timed(f"close one day for {reps} reps", lambda: quota_days_close(day=day, reps=members), "3 s")
    timed("close the same day again (nothing to do)", lambda: quota_days_close(day=day, reps=members))
    live_day = day + datetime.timedelta(days=1)  # still open: the board counts it live
    team_board(supervisor=supervisor, day=live_day)  # warm translations and caches
    runs = []
    for _run in range(5):
        start = time.perf_counter()
        team_board(supervisor=supervisor, day=live_day)
        runs.append(time.perf_counter() - start)
    runs.sort()
    print(f"{'team board, median of 5 (live day)':<45} {runs[2] * 1000:9.1f} ms")
    timed("team board (live day)", lambda: team_board(supervisor=supervisor, day=live_day), "100 ms")
    timed("team board (closed day)", lambda: team_board(supervisor=supervisor, day=day))

    def close_month():
        d = first
        while d <= last:
            quota_days_close(day=d, reps=members)
            d += datetime.timedelta(days=1)

    timed(f"close the rest of the month for {reps} reps", close_month)
    timed(
        "one rep's monthly statement",
        lambda: month_statement(reps=members[:1], month=first, today=last),
        "10 s",
    )

    def team_excel():
        data = month_statement(reps=members, month=first, today=last)
        buffer = io.BytesIO()
        statement_workbook(data).save(buffer)
        return buffer.tell()

    size = timed("team monthly Excel", team_excel, "10 s")
    print(f"{'team Excel size':<45} {size / 1024:9.1f} KiB")


if __name__ == "__main__":
    main()
