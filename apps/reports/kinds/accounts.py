"""Reports on the people who use Telroom: users and their roles."""

from django import forms
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from apps.accounts.models import Department, Role, User
from apps.core.excel import Column

from ..registry import register_kind
from ..writer import ReportWriter


class UsersForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    include_inactive = forms.BooleanField(label=gettext_lazy("Include disabled users"), required=False)


@register_kind(
    code="users",
    label=gettext_lazy("Users and roles"),
    description=gettext_lazy("Every user with department, roles, extension and supervisor."),
    form=UsersForm,
    run_permissions=("accounts.view_user",),
    app="accounts",
    order=900,
    filename="users",
)
def users_report(report: ReportWriter, params: dict) -> None:
    users = User.objects.select_related("department", "supervisor").order_by("username")
    if params.get("department"):
        users = users.filter(department_id=params["department"])
    if not params.get("include_inactive"):
        users = users.filter(is_active=True)
    role_labels = dict(Role.choices)
    sheet = report.detail(
        _("Users"),
        [
            Column(_("User name"), 16),
            Column(pgettext("report column", "Name"), 14),
            Column(_("Department"), 16),
            Column(_("Roles"), 24),
            Column(_("Extension"), 10),
            Column(_("Email"), 26),
            Column(_("Hire date"), 12),
            Column(_("Supervisor"), 14),
            Column(_("Active"), 8),
            Column(_("Last login"), 18),
        ],
    )
    active = 0
    users = users.prefetch_related(Prefetch("groups", to_attr="role_groups"))
    for user in users.iterator(chunk_size=2000):
        roles = "、".join(str(role_labels.get(g.name, g.name)) for g in user.role_groups)
        active += user.is_active
        sheet.append(
            [
                user.username,
                user.name,
                user.department.name if user.department else "",
                roles,
                user.extension,
                user.email,
                user.hire_date,
                user.supervisor.get_full_name() if user.supervisor else "",
                _("Yes") if user.is_active else _("No"),
                user.last_login,
            ]
        )
    report.summary_row(_("Active users"), active)
    report.summary_row(_("Disabled users"), sheet.rows - active)

    by_role = report.detail(_("Roles"), [Column(_("Role"), 20), Column(_("Number of users"), 10)])
    counts = dict(
        Group.objects.annotate(n=Count("user", filter=Q(user__is_active=True))).values_list("name", "n")
    )
    total = 0
    for code, label in Role.choices:
        by_role.append([str(label), counts.get(code, 0)])
        total += counts.get(code, 0)
    by_role.total([_("Total"), total])
