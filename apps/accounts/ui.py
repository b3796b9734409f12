from django.utils.translation import gettext_lazy as _

from apps.core.registry import NavItem, register_nav

register_nav(
    NavItem(
        _("Users and roles"),
        "admin:accounts_user_changelist",
        section="admin",
        permissions=("accounts.view_user",),
        order=10,
    ),
    NavItem(
        _("Departments"),
        "admin:accounts_department_changelist",
        section="admin",
        permissions=("accounts.view_department",),
        order=20,
    ),
)
