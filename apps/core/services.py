from collections.abc import Iterable, Mapping
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification


@transaction.atomic
def notification_send(
    *,
    title: str,
    body: str = "",
    params: Mapping[str, object] | None = None,
    url: str = "",
    users: Iterable = (),
    groups: Iterable[str] = (),
    departments: Iterable = (),
    level: str = Notification.Level.INFO,
    email: bool = True,
    exclude=None,
) -> list[Notification]:
    """Put a notification in the inbox of every recipient; mail it after commit.

    ``title`` and ``body`` may be lazy translatable strings with ``%(name)s``
    placeholders filled from ``params``: each recipient reads them in their own language.
    """
    from apps.accounts.selectors import user_recipients

    recipients = user_recipients(users=users, groups=groups, departments=departments)
    if exclude is not None:
        recipients = recipients.exclude(pk=exclude.pk)
    params = dict(params or {})
    rows = []
    for user in recipients.only("pk", "language"):
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows.append(
                Notification(
                    recipient_id=user.pk,
                    title=(str(title) % params if params else str(title))[:200],
                    body=str(body) % params if params else str(body),
                    url=url,
                    level=level,
                    email_wanted=email,
                )
            )
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if email and ids:
        from .tasks import notifications_email

        transaction.on_commit(partial(notifications_email.delay, notification_ids=ids))
    return created


@transaction.atomic
def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_prune(*, days: int = 180) -> int:
    """Delete notifications read more than ``days`` ago."""
    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
