from .models import Notification


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user):
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")
