from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .registry import Card, NavItem, register_card, register_nav, register_section
from .selectors import notification_list

register_section("home", _("Today"), order=0)
register_section("admin", _("Administration"), order=900)
register_nav(NavItem(_("Notifications"), "core:notifications", section="home", order=10))


@register_card
def unread_notifications(request):
    unread = list(notification_list(user=request.user).filter(read_at__isnull=True)[:5])
    return Card(
        title=_("Unread notifications"),
        template="core/cards/notifications.html",
        context={"notifications": unread},
        order=1000,
        url=reverse("core:notifications"),
    )
