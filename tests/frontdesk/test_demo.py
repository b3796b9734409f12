import io

import pytest
from django.core.management import call_command

from apps.frontdesk.models import Call, Callback, Line, UseRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_a_line_a_week_of_calls_and_callbacks_once():
    call_command("seed_demo", stdout=io.StringIO())
    assert Line.objects.count() == 1
    calls = Call.objects.count()
    assert calls > 20
    days = {d.date() for d in Call.objects.values_list("answered_at", flat=True)}
    assert len(days) >= 6
    assert Callback.objects.filter(done_at__isnull=False).exists()
    assert UseRequest.objects.count() == 1
    call_command("seed_demo", stdout=io.StringIO())
    assert Call.objects.count() == calls
    assert Line.objects.count() == 1
