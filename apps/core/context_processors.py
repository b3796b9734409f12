from django.conf import settings

from .registry import navigation_for
from .selectors import notification_unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_name": settings.TELROOM_SITE_NAME}
    return {
        "site_name": settings.TELROOM_SITE_NAME,
        "nav_sections": lambda: navigation_for(user),
        "unread_notifications": lambda: notification_unread_count(user=user),
    }
