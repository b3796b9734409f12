import threading

import pytest
from django.db import connection

from apps.patching import services
from apps.patching.models import Jumper, JumperEnd, PatchEvent, Terminal
from apps.patching.services import PatchConflict

from .factories import Plant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_engineers_connecting_the_same_terminal_get_one_jumper_and_nineteen_clear_conflicts():
    plant = Plant(size=30)
    barrier = threading.Barrier(20)
    outcomes: list = []
    lock = threading.Lock()

    def attempt(n):
        try:
            barrier.wait()
            services.jumper_connect(
                terminal_a="MDF-1/H01/01",
                terminal_b=f"MDF-1/V01/{n + 1:02d}",
                actor=plant.actor,
                reason="并发测试",
            )
            result = "ok"
        except PatchConflict as exc:
            result = exc.messages[0]
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 1, outcomes
    conflicts = [o for o in outcomes if o != "ok"]
    assert len(conflicts) == 19
    assert all("MDF-1/H01/01 is already jumpered to" in c or "MDF-1/H01/01 已与" in c for c in conflicts), (
        conflicts
    )
    assert Jumper.objects.count() == 1
    assert JumperEnd.objects.count() == 2
    assert PatchEvent.objects.filter(action="connect").count() == 1


def test_crossed_connects_on_one_terminal_never_both_win():
    """Terminal X as end A of one jumper and end B of another, at the same moment: the unique end holds."""
    plant = Plant(size=30)
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(a, b):
        try:
            barrier.wait()
            services.jumper_connect(terminal_a=a, terminal_b=b, actor=plant.actor, reason="x")
            outcomes.append("ok")
        except PatchConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("MDF-1/H01/05", "MDF-1/V01/05")),
        threading.Thread(target=attempt, args=("MDF-1/V01/06", "MDF-1/H01/05")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Jumper.objects.count() == 1


def test_engineers_reserving_overlapping_ranges_at_once_never_split_a_range():
    """Ten engineers reserve overlapping ranges for ten orders: each range is reserved whole or not at all."""
    plant = Plant(size=30)
    barrier = threading.Barrier(10)
    outcomes: dict = {}
    lock = threading.Lock()

    def attempt(n):
        first = 1 + 2 * n  # 1-5, 3-7, 5-9, …: each overlaps its neighbours
        try:
            barrier.wait()
            services.terminal_reserve(
                terminals=f"MDF-1/V01/{first}-{first + 4}",
                reference=f"WO-{n}",
                actor=plant.actor,
                strict=True,
            )
            result = "ok"
        except PatchConflict as exc:
            result = exc.messages
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes[n] = result

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winners = [n for n, r in outcomes.items() if r == "ok"]
    assert winners, outcomes
    for result in outcomes.values():
        if result != "ok":
            assert isinstance(result, list), result
            assert all("已为 WO-" in m and "预留" in m for m in result), result
    by_reference: dict = {}
    for designation, reference in Terminal.objects.exclude(reserved_reference="").values_list(
        "designation", "reserved_reference"
    ):
        by_reference.setdefault(reference, []).append(designation)
    assert sorted(by_reference) == sorted(f"WO-{n}" for n in winners)
    for n in winners:
        first = 1 + 2 * n
        assert sorted(by_reference[f"WO-{n}"]) == [f"MDF-1/V01/{k:02d}" for k in range(first, first + 5)]
    assert PatchEvent.objects.filter(action="reserve").count() == 5 * len(winners)
