from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Department, User


def user_recipients(
    *,
    users: Iterable[User | int] = (),
    groups: Iterable[str] = (),
    departments: Iterable[Department | int] = (),
) -> QuerySet[User]:
    """Return the active users named directly, through a role (group name) or through a department."""
    user_ids = [u.pk if isinstance(u, User) else u for u in users]
    department_ids = [d.pk if isinstance(d, Department) else d for d in departments]
    group_names = list(groups)
    condition = Q(pk__in=user_ids)
    if group_names:
        condition |= Q(groups__name__in=group_names)
    if department_ids:
        condition |= Q(department_id__in=department_ids)
    return User.objects.filter(condition, is_active=True).distinct().order_by("pk")


def user_team(*, supervisor: User) -> QuerySet[User]:
    """Return the active users who report to ``supervisor``."""
    return User.objects.filter(supervisor=supervisor, is_active=True).order_by("username")


def users_with_role(*, role: str) -> QuerySet[User]:
    return User.objects.filter(groups__name=role, is_active=True).order_by("username")
