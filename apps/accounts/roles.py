"""Roles are groups; each app declares what its roles may do in its own ``roles.py``.

An app's ``roles.py`` holds ``PERMISSIONS``: a mapping of role code (see ``Role``)
to permission names ``"app_label.codename"``. After every ``migrate`` the groups are
brought exactly in line with the union of all declarations.
"""

from importlib import import_module

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import DEFAULT_DB_ALIAS, router

from .models import Role

PERMISSIONS = {
    "administrator": [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
        "auth.view_group",
    ],
}


def declared_permissions() -> dict[str, set[str]]:
    """Return role code -> permission names, merged from every installed app's ``roles.py``."""
    merged: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in global_apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.roles":
                raise
            continue
        for role, names in getattr(module, "PERMISSIONS", {}).items():
            if role not in merged:
                raise ValueError(f"{config.name}.roles names an unknown role {role!r}")
            merged[role].update(names)
    return merged


def sync_groups(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps, verbosity: int = 0) -> None:
    """Create each role's group and give it exactly the declared permissions."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = declared_permissions()
    every_name = set().union(*wanted.values())
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = sorted(every_name - by_name.keys())
    if missing:
        raise ValueError(f"Roles declare permissions that do not exist: {', '.join(missing)}")
    for role, names in wanted.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_name[name] for name in names])
        if verbosity >= 2:
            print(f"  role {role}: {len(names)} permissions")


def sync_groups_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, verbosity=1, **kwargs):
    if not router.allow_migrate(using, "auth"):
        return
    for config in global_apps.get_app_configs():
        create_contenttypes(config, verbosity=0, using=using)
        create_permissions(config, verbosity=0, using=using)
    sync_groups(using=using, verbosity=verbosity)
