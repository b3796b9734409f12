import io

import pytest
from auditlog.models import LogEntry

from apps.accounts import demo as accounts_demo
from apps.approvals import demo
from apps.approvals.models import AdjustmentRecord, FunctionChange

pytestmark = pytest.mark.django_db


def test_demo_has_a_request_in_every_state_and_runs_twice():
    out = io.StringIO()
    accounts_demo.seed(stdout=out)
    demo.seed(stdout=out)
    demo.seed(stdout=out)
    states = set(FunctionChange.objects.values_list("status", flat=True))
    assert states == set(FunctionChange.Status.values)
    assert AdjustmentRecord.objects.filter(source="request").count() == 2
    assert AdjustmentRecord.objects.filter(source="manual").exists()
    # Every change is in the audit trail with the person who made it.
    approved = FunctionChange.objects.get(status="approved")
    actors = set(LogEntry.objects.get_for_object(approved).values_list("actor__username", flat=True))
    assert {"engineer", "chief"} <= actors
