"""Renames: how long renaming a big frame, one of its blocks, a PBX and a building takes.

Builds, in a throwaway test database, a main frame of 50 blocks of 100 pairs (5,000 terminals),
a PBX with 1,000 ports, a cable of 1,000 pairs and a building with 1,000 outlets, then renames
each back and forth and prints the median time and the number of queries of each rename.

    python bench/rename.py [--repeat 9]                                        # SQLite in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/telroom_bench python bench/rename.py

Measured on a shared 2-core machine (load 1.9), median of 9, SQLite / PostgreSQL, 10 queries
each: frame of 5,000 terminals 10.3 / 101 ms; block of 100 terminals 2.5 / 6.7 ms; PBX of
1,000 ports 4.3 / 16.6 ms; cable of 1,000 pairs 3.1 / 16.5 ms; building of 1,000 outlets
4.0 / 22.6 ms.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    os.environ.setdefault("TELROOM_VAR_DIR", tempfile.mkdtemp(prefix="telroom-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "telroom.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from apps.accounts.models import Role
        from apps.accounts.services import user_create
        from apps.patching import services
        from apps.patching.models import Block, Terminal

        actor = user_create(username="bench", name="测试", roles=[Role.ENGINEER])
        building = services.building_get_or_create(code="A")
        frame = services.frame_create(code="MDF-1", building=building)
        started = time.perf_counter()
        for n in range(1, 51):
            services.block_create(frame=frame, code=f"V{n:02d}", side=Block.Side.LINE, size=100)
        pbx = services.pbx_create(code="PBX-1")
        for slot in range(1, 21):
            services.pbx_ports_create(pbx=pbx, shelf=1, slot=slot, ports=50)
        cable = services.cable_create(code="R-01", pair_count=1000)
        for room in range(1, 101):
            for n in range(1, 11):
                services.outlet_get_or_create(designation=f"A-{1000 + room}-{n}")
        print(
            f"database: {connection.vendor}; built {Terminal.objects.filter(frame=frame).count()} terminals, "
            f"1000 ports, 1000 pairs, 1000 outlets in {time.perf_counter() - started:.1f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        block = Block.objects.get(frame=frame, code="V01")
        cases = [
            ("frame (5,000 terminals)", services.frame_rename, frame, ["MDF-2", "MDF-1"]),
            ("block (100 terminals)", services.block_rename, block, ["V99", "V01"]),
            ("PBX (1,000 ports)", services.pbx_rename, pbx, ["PBX-2", "PBX-1"]),
            ("cable (1,000 pairs)", services.cable_rename, cable, ["R-02", "R-01"]),
            ("building (1,000 outlets)", services.building_rename, building, ["B", "A"]),
        ]
        for label, rename, obj, names in cases:
            times, queries = [], 0
            for i in range(args.repeat):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    rename(obj, names[i % 2], actor=actor, reason="bench")
                    times.append(time.perf_counter() - started)
                queries = len(ctx.captured_queries)
            print(f"rename {label}: median {statistics.median(times) * 1000:.1f} ms, {queries} queries")
        assert (
            Terminal.objects.filter(designation="MDF-2/V50/100").exists()
            or Terminal.objects.filter(designation="MDF-1/V50/100").exists()
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
