import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.approvals import services
from apps.approvals.models import AdjustmentRecord, FunctionChange, FunctionChangeEvent

from .factories import chief, engineer, make_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = FunctionChange.Status


def _race(calls):
    """Run the calls at the same moment in their own connections; return their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            call()
            outcomes[i] = "ok"
        except ValidationError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_approvers_deciding_at_once_give_one_decision():
    change = make_request(requester=engineer(), status=S.SUBMITTED)
    first, second = chief(), chief()
    outcomes = _race(
        [
            lambda: services.function_change_approve(actor=first, change=change.pk, comment="同意"),
            lambda: services.function_change_reject(actor=second, change=change.pk, comment="不同意"),
        ]
    )
    assert outcomes.count("ok") == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    decisions = FunctionChangeEvent.objects.filter(request=change, action__in=["approved", "rejected"])
    assert decisions.count() == 1


def test_two_engineers_implementing_at_once_write_one_adjustment_record():
    change = make_request(requester=engineer(), status=S.APPROVED)
    a, b = engineer(), engineer()
    outcomes = _race(
        [
            lambda: services.function_change_implement(actor=a, change=change.pk),
            lambda: services.function_change_implement(actor=b, change=change.pk),
        ]
    )
    assert outcomes.count("ok") == 1
    assert AdjustmentRecord.objects.filter(request=change).count() == 1
