from datetime import date

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Department, Role, User


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    name: str = "",
    email: str = "",
    roles: list[str] | tuple[str, ...] = (),
    department: Department | None = None,
    hire_date: date | None = None,
    supervisor: User | None = None,
    extension: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user with their employee profile and roles."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    user = User(
        username=username,
        name=name,
        email=email,
        department=department,
        hire_date=hire_date,
        supervisor=supervisor,
        extension=extension,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if roles:
        user.groups.set(Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a user chose."""
    if language not in User.Language.values:
        raise ValidationError({"language": _("Unsupported language.")})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


@transaction.atomic
def department_get_or_create(*, code: str, name: str, email: str = "") -> Department:
    department, _created = Department.objects.get_or_create(
        code=code, defaults={"name": name, "email": email}
    )
    return department
