import pytest

from apps.approvals.models import FunctionChange
from apps.core.models import Notification
from tests.celery_worker import wait_for

from .factories import chief, engineer, make_request

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_submitting_mails_the_chief_engineer_through_a_real_worker(celery_worker_process):
    boss = chief(email="chief@example.com")
    make_request(requester=engineer(), status=FunctionChange.Status.SUBMITTED)
    note = Notification.objects.get(recipient=boss)
    assert wait_for(lambda: Notification.objects.filter(pk=note.pk, emailed_at__isnull=False).exists())
