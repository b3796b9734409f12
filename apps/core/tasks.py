from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifications_email(*, notification_ids: list[int]) -> int:
    """Mail the given notifications that have not been mailed yet; return how many were sent."""
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(pk__in=notification_ids, email_wanted=True, emailed_at__isnull=True)
            .select_related("recipient")
            .order_by("pk")
        )
        connection = get_connection()
        for notification in pending:
            address = notification.recipient.email
            if address:
                body = notification.body
                if notification.url:
                    link = (
                        notification.url
                        if "://" in notification.url
                        else settings.SITE_URL + notification.url
                    )
                    body = f"{body}\n\n{link}".strip()
                send_mail(
                    settings.EMAIL_SUBJECT_PREFIX + notification.title,
                    body,
                    None,
                    [address],
                    connection=connection,
                )
                sent += 1
            notification.emailed_at = timezone.now()
        Notification.objects.bulk_update(pending, ["emailed_at"])
    return sent


@shared_task
def notifications_prune(*, days: int = 180) -> int:
    """Delete read notifications older than ``days``; return how many were removed."""
    from .services import notification_prune

    return notification_prune(days=days)
