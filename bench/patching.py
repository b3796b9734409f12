"""Patch-table speed on DESIGN.md's campus dataset: prints figures, never fails.

Builds the campus (``generate_campus --scale S --seed 1``) into a fresh database, then measures
the distribution-table page (first page and a filtered page: median server time and query
count at two page sizes), a trace, a connect+disconnect round trip, the full export (time and
peak memory of the exporting process) and the import of that file into an emptied table.

    python bench/patching.py [--scale 1.0] [--repeat 15]                      # SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_patching python bench/patching.py

``--keep`` reuses the campus already in the database (SQLite: set TELROOM_VAR_DIR to keep the
file); ``--only trace,search,checks`` measures only those figures (``export`` also imports the
file back, replacing the generated campus).

Targets at scale 1.0: table page < 50 ms median with constant queries; trace < 10 ms;
export < 3 s and < 200 MB; import < 20 s.

Measured at scale 1.0 on a shared 2-core machine (load 2–3), SQLite / PostgreSQL:
generate_campus 71 s / 99 s; table first page 16.6 / 33.4 ms (12 queries at 50 and at 200
rows); filtered page 13.9 / 48.3 ms; page 100: 21.6 / 127 ms; trace 8.3 / 19.5 ms;
connect+disconnect 8.4 / 23 ms; export of 20,000 rows 2.6 / 4.4 s at 98 / 95 MB peak RSS;
import of that file into an emptied table 10.9 / 26.1 s; table as at a past moment 3.3 / 1.2 s.

After the speed work (page ids first, then the page's rows; one query per terminal in a trace;
the export's path joined into each chunk; COPY for bulk inserts; per-table search subqueries),
SQLite / PostgreSQL (two PostgreSQL runs, load 2.3–3.8): table first page 19.9 /
32–41 ms (14 queries at 50 and at 200 rows); filtered 17.6 / 34–39 ms; page 100: 21.8 / 33–45 ms;
search 51 / 121–172 ms; trace 5.8 / 12.3–16.1 ms; export 3.2 / 3.5–5.2 s (command; 2.0 /
2.3–3.1 s of it writing) at 104 MB; import 10.3 / 13.3–18.5 s.

With the workbook written by apps.core.excel's own streaming writer instead of openpyxl cells
(PostgreSQL, load 4–5, old and new code run alternately on the same campus): export command
4.3–7.9 s before, 3.1–5.3 s after (start-up alone was 2–3 s at that load); inside it 2.2–4.7 /
0.8–2.0 s. In one process, median of 5: table_export 2.0–3.5 s (CPU 1.6–1.8 s) before, 0.73–0.95 s
(CPU 0.29–0.30 s) after, of which reading the 20,000 rows is 0.5–0.6 s; peak RSS 104 / 106 MB.

Reserving by hand and a terminal's page (scale 1.0, same shared machine, load 2.3–4.6; the
PostgreSQL run was slower throughout, e.g. table first page 43 ms), SQLite / PostgreSQL:
reserve + release of 100 terminals 84 / 323 ms (CPU 83 / 93 ms); reservations page with 100
reserved 27 / 122 ms (CPU 27 / 28 ms), 8 queries; a terminal's page with its whole history
9.7 / 54 ms (11 queries), a cable pair's 8.3 / 51 ms (9 queries).

With the floor outlet terminal and horizontal pair columns (the import now also records 20,000
horizontal pairs, 20,000 terminals and 15,000 floor-frame jumpers), SQLite / PostgreSQL, load
about 3: export 3.0 / 3.6 s (command; 1.9 / 2.5 s writing) at 106 / 104 MB; import 10.1 / 12.0 s
(11.4 / 13.2 s as a command); 200 of 200 sampled traces identical after the round trip.

Trace, search and checks reworked (a trace reads its path in one recursive query; the search uses
trigram indexes on PostgreSQL, migration 0005_search_trigram, and a subquery per table; the checks
read only the rows at fault). Scale 1.0, load 0.6–1.0, the previous code and this one run in turn
on the same campus, SQLite / PostgreSQL, before → after: trace 4.1–4.4 / 9.7 ms (6 queries) →
0.5–1.1 / 2.4 ms (2 queries); trace page 10–11 / 20 ms (12 queries) → 7–14 / 11 ms (8 queries);
search 'MDF-3/V05' 42–52 / 88 ms → 27–29 / 26 ms (11 queries); search 'PBX-5/1-0' (225 rows)
71–89 / 159 ms → 38–41 / 40 ms (16 queries); checks page 246–265 / 639 ms (23 queries) → 91–119 /
85 ms (14 queries). PostgreSQL EXPLAIN ANALYZE, summed over each figure's queries (execution +
planning): trace 0.4 + 3.0 → 0.3 + 2.0 ms; search 'MDF-3/V05' 75 + 2.6 → 6.1 + 2.5 ms;
'PBX-5/1-0' 148 + 3.3 → 12.5 + 3.1 ms; checks 512 + 47 → 90 + 3.1 ms (with 300 riser pairs cut,
200 extensions unported and 40 outlets doubled: 628 → 122 ms in one process, SQLite 314 → 107 ms).
Search text under three characters cannot use a trigram index and costs what it did (PostgreSQL
about 55 ms for a page). Import 12.0 → 12.5 s with the trigram indexes to keep. Right after a bulk
load, until (auto)vacuum merges the indexes' pending entries, a search takes about 15 ms more: the
bench vacuums after generating the campus.

All of the above together (and prefix indexes on the history's ends, migration 0006, for the
history page's search), one run each on a fresh campus at scale 1.0, load 0.6–0.9, median of 9,
SQLite / PostgreSQL: generate_campus 41.9 / 35.7 s; table first page 15.4 / 31.9 ms and at 200
rows 22.2 / 45.6 ms (16 queries at both sizes); page 100: 15.8 / 28.9 ms; filtered 11.0 / 20.5 ms;
search "MDF-3/V05" 22.4 / 24.8 ms; search "PBX-5/1-0" 32.0 / 40.0 ms; API page 9.5 / 16.6 ms;
history page searched by a block 108 / 98.7 ms before migration 0006, PostgreSQL 22.3 ms after;
table as at 30 days ago 2.2 / 0.8 s (19 queries); checks page 81 / 88 ms (14 queries); trace
0.50 / 2.48 ms (2 queries); trace page 6.0 / 11.3 ms; connect + disconnect 4.9 / 10.2 ms;
type-ahead 6.0 / 1.8 ms; reserve + release 100 terminals 81 / 95 ms; reservations page 24 / 29 ms;
a terminal's page 7.9 / 11.2 ms; export 1.5 / 1.9 s as a command (0.4 / 0.8 s writing) at 109 /
105 MB peak RSS; import 10.4 / 12.5 s; 200 of 200 sampled traces identical after the round trip.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Figures --only can pick; "export" also imports the exported file into an emptied table.
FIGURES = (
    "table", "search", "history", "past", "checks", "trace", "roundtrip", "typeahead", "reserve", "export",
)  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse an existing campus in the database")
    parser.add_argument(
        "--only",
        default=",".join(FIGURES),
        help="comma-separated figures to measure (default all): " + ", ".join(FIGURES),
    )
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")

    workdir = Path(tempfile.mkdtemp(prefix="telroom-bench-"))
    os.environ.setdefault("TELROOM_VAR_DIR", str(workdir))
    os.environ["DJANGO_SETTINGS_MODULE"] = "telroom.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    engine = connection.vendor
    print(
        f"database: {engine}, scale {args.scale}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    call_command("migrate", verbosity=0)
    from apps.accounts.models import Role
    from apps.accounts.services import user_create
    from apps.patching import selectors, services
    from apps.patching.models import Building, Extension, PatchEvent, Terminal

    if not (args.keep and Building.objects.exists()):
        _empty_patch_table(connection)
        started = time.perf_counter()
        call_command("generate_campus", scale=args.scale, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"generate_campus: {time.perf_counter() - started:.1f} s")
        if engine == "postgresql":
            # What autovacuum does soon after a bulk load (it may be off on a bench machine): the
            # trigram indexes' pending entries merged, the visibility map set.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    print(
        f"dataset: {Extension.objects.count()} extensions, {Terminal.objects.count()} terminals, "
        f"{PatchEvent.objects.count()} history entries"
    )
    from apps.accounts.models import User

    user = User.objects.filter(username="bench-engineer").first() or user_create(
        username="bench-engineer", password="bench-pass-123", name="测试工程师", roles=[Role.ENGINEER]
    )
    client = Client()
    client.force_login(user)

    cpu_medians = {}

    def timed(fn, repeat=args.repeat):
        """Median wall time in ms; the median CPU time of this process is kept in ``cpu_medians``.

        On a shared, loaded machine the wall time is mostly waiting for a core; the CPU time
        (which includes SQLite's work, but not a PostgreSQL server's) shows the cost itself.
        """
        fn()  # warm up
        times, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        cpu_medians[fn] = statistics.median(cpu)
        return statistics.median(times)

    def cpu_of(fn):
        return cpu_medians.get(fn, 0.0)

    def page(url, repeat=args.repeat):
        def get():
            r = client.get(url)
            assert r.status_code == 200, r.status_code

        with CaptureQueriesContext(connection) as ctx:
            get()
        queries = len(ctx.captured_queries)
        ms = timed(get, repeat)
        return f"{ms:.1f} ms (CPU {cpu_of(get):.1f} ms)", queries

    dept = Extension.objects.exclude(department=None).values_list("department_id", flat=True).first()
    for figure, label, url in [
        ("table", "table, first page (50 rows)", "/patching/"),
        ("table", "table, first page (200 rows)", "/patching/?per_page=200"),
        ("table", "table, page 100", "/patching/?page=100"),
        (
            "table",
            "table, filtered (building C, floor 5, department)",
            f"/patching/?building=C&floor=5&department={dept}",
        ),
        ("search", "table, search 'MDF-3/V05'", "/patching/?q=MDF-3/V05"),
        ("search", "table, search 'PBX-5/1-0' (50 of 225 rows)", "/patching/?q=PBX-5/1-0"),
        ("table", "table API, first page", "/api/patching/table/"),
        ("history", "history page, filtered by terminal", "/patching/history/?q=MDF-2/H01"),
        (
            "past",
            "table as at 30 days ago (rebuilt from the history; 3 runs)",
            f"/patching/?at={_days_ago(30)}",
        ),
        ("checks", "checks page (3 runs)", "/patching/checks/"),
    ]:
        if figure not in only:
            continue
        ms, queries = page(url, 3 if "3 runs" in label else args.repeat)
        print(f"{label}: median {ms}, {queries} queries")

    number = Extension.objects.order_by("number").values_list("number", flat=True)[
        Extension.objects.count() // 2
    ]

    def trace():
        return selectors.extension_trace(text=number)

    if "trace" in only:
        with CaptureQueriesContext(connection) as ctx:
            trace()
        print(
            f"trace of extension {number}: median {timed(trace):.2f} ms (CPU {cpu_of(trace):.2f} ms), "
            f"{len(ctx.captured_queries)} queries"
        )
        ms, queries = page(f"/patching/trace/?q={number}")
        print(f"trace page: median {ms}, {queries} queries")
    if not only & {"roundtrip", "typeahead", "reserve", "export"}:
        return

    # An imported table (a --keep after an export run) has no free terminals to jumper.
    ends = [selectors.terminal_search(q=f"MDF-1/{side}", free_only=True, limit=1) for side in "HV"]

    def round_trip():
        free, peer = (found[0]["designation"] for found in ends)
        services.jumper_connect(terminal_a=free, terminal_b=peer, actor=user, reason="bench")
        services.jumper_disconnect(terminal=free, actor=user, reason="bench")

    if "roundtrip" in only and all(ends):
        ms = timed(round_trip, repeat=min(args.repeat, 10))
        print(f"connect + disconnect round trip: median {ms:.1f} ms (CPU {cpu_of(round_trip):.1f} ms)")
    elif "roundtrip" in only:
        print("connect + disconnect round trip: not measured (no free terminals on MDF-1)")

    def typeahead():
        return selectors.terminal_search(q="MDF-2/V0", free_only=True)

    if "typeahead" in only:
        print(
            f"type-ahead (free terminals): median {timed(typeahead):.1f} ms (CPU {cpu_of(typeahead):.1f} ms)"
        )
    if "reserve" in only:
        _reserving(selectors, services, user, page, timed, cpu_of, args.repeat)
    if "export" not in only:
        return

    export = workdir / "table.xlsx"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    # Peak memory of the exporting process itself, measured by /usr/bin/time (a forked child would
    # otherwise inherit this process's own resident pages in its high-water mark).
    timer = ["/usr/bin/time", "-f", "maxrss_kb=%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    out = subprocess.run(
        [*timer, *manage, "export_distribution_table", str(export)], env=env, capture_output=True, text=True
    )
    took = time.perf_counter() - started
    peak = next(
        (line.split("=")[1] for line in out.stderr.splitlines() if line.startswith("maxrss_kb=")), None
    )
    peak_text = f"peak RSS {int(peak) / 1024:.0f} MB" if peak else "peak RSS not measured (no /usr/bin/time)"
    print(f"export: {took:.1f} s (command, incl. ~1 s start-up), {peak_text}: {out.stdout.strip()}")

    # The round trip must give back the paths, not only the rows: trace a sample before and after.
    numbers = list(Extension.objects.order_by("number").values_list("number", flat=True))
    sample = numbers[:: max(1, len(numbers) // 200)]
    traces_before = [selectors.extension_trace(text=n).as_dict() for n in sample]
    connection.close()
    _empty_patch_table(connection)
    started = time.perf_counter()
    out = subprocess.run(
        [*manage, "import_distribution_table", str(export)], env=env, capture_output=True, text=True
    )
    print(
        f"import into an emptied table: {time.perf_counter() - started:.1f} s: {(out.stdout + out.stderr).strip()[-200:]}"
    )
    traces_after = [selectors.extension_trace(text=n).as_dict() for n in sample]
    same = sum(a == b for a, b in zip(traces_before, traces_after, strict=True))
    complete = sum(t["complete"] for t in traces_after)
    print(
        f"round trip: {same} of {len(sample)} sampled traces identical after the import, {complete} complete"
    )


def _reserving(selectors, services, user, page, timed, cpu_of, repeat):
    # Reserving by hand: a hundred free terminals reserved then released (both all or nothing,
    # each terminal recorded); the reservations page listing them; a terminal's and a pair's page
    # with their whole history (fault marks included).
    spare = [r["designation"] for r in selectors.terminal_search(q="MDF-1/V", free_only=True, limit=100)]

    def reserve_release():
        services.terminal_reserve(terminals=spare, reference="BENCH", actor=user, strict=True)
        services.terminal_release(terminals=spare, reference="BENCH", actor=user, strict=True)

    ms = timed(reserve_release, repeat=min(repeat, 5))
    print(
        f"reserve + release {len(spare)} terminals: median {ms:.1f} ms (CPU {cpu_of(reserve_release):.1f} ms)"
    )
    services.terminal_reserve(terminals=spare, reference="BENCH-LIST", actor=user, strict=True)
    ms, queries = page("/patching/reservations/")
    print(f"reservations page ({len(spare)} reserved, 50 shown): median {ms}, {queries} queries")
    services.terminal_release(terminals=spare, reference="BENCH-LIST", actor=user, strict=True)
    from apps.patching.models import CablePair, JumperEnd

    jumpered = JumperEnd.objects.order_by("pk").values_list("terminal__designation", flat=True).first()
    pair = (
        CablePair.objects.exclude(near_terminal=None)
        .order_by("pk")
        .values_list("designation", flat=True)[500]
    )
    services.pair_set_faulty(pair=pair, faulty=True, actor=user, reason="bench")
    services.pair_set_faulty(pair=pair, faulty=False, actor=user, reason="bench")
    for label, designation in (("a jumpered terminal", jumpered), ("a cable pair", pair)):
        ms, queries = page(f"/patching/faulty/?d={designation}")
        print(f"terminal page with its history, {label} ({designation}): median {ms}, {queries} queries")


def _days_ago(days):
    import datetime

    from django.utils import timezone

    return (timezone.localtime() - datetime.timedelta(days=days)).strftime("%Y-%m-%d+%H:%M")


def _empty_patch_table(connection):
    from apps.patching.models import (
        Block,
        Building,
        Cable,
        CablePair,
        DepartmentSubscription,
        Extension,
        Floor,
        Frame,
        Jumper,
        JumperEnd,
        Outlet,
        PatchEvent,
        Pbx,
        PbxPort,
        Room,
        Terminal,
    )

    models = [
        JumperEnd, Jumper, PatchEvent, Extension, PbxPort, CablePair, DepartmentSubscription,
        Outlet, Terminal, Block, Cable, Pbx, Frame, Room, Floor, Building,
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE " + ", ".join(m._meta.db_table for m in models) + " RESTART IDENTITY CASCADE"
            )
    else:
        for model in models:
            model.objects.all()._raw_delete(model.objects.db)


if __name__ == "__main__":
    main()
