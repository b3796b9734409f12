import pytest

from apps.core.models import Notification
from apps.core.services import notification_send
from tests.celery_worker import wait_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]


def test_notification_mail_is_sent_by_a_real_worker_through_redis(celery_worker_process):
    user = UserFactory(email="li@example.com")
    notification_send(title="跳线变更", users=[user])  # commits; the task goes to Redis on commit
    notification = Notification.objects.get(recipient=user)
    assert wait_for(
        lambda: Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists()
    )


def test_healthz_checks_the_broker(client):
    response = client.get("/healthz")
    assert response.json()["checks"]["broker"] == "ok"
