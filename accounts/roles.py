"""Roles map onto Django groups so the admin, the API and pages share one permission model.

Each app may declare `ROLE_PERMISSIONS = {role: ["app_label.codename", …]}` in its own `roles.py`; after
every migrate the groups are brought in line with the union of those declarations.
"""

from importlib import import_module

from django.apps import apps

from .models import Role

ROLE_PERMISSIONS = {
    Role.DISTRICT_ADMIN: [
        "core.reveal_personal_data",
        "core.view_auditlog",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_department",
        "accounts.add_department",
        "accounts.change_department",
    ],
    Role.DISTRICT_STAFF: ["accounts.view_user", "accounts.view_department", "core.view_auditlog"],
    Role.TOWN_STAFF: ["accounts.view_user", "accounts.view_department"],
    Role.VILLAGE_STAFF: ["accounts.view_department"],
    Role.GRID_WORKER: [],
    Role.DEPARTMENT_LIAISON: ["accounts.view_department"],
    Role.INTEGRATOR: [],
}

STAFF_ROLES = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF}


def collected_role_permissions() -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        if config.name == "accounts":
            continue
        try:
            module = import_module(f"{config.name}.roles")
        except ModuleNotFoundError:
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, set()).update(perms)
    return merged


def sync_role_groups(using="default", **kwargs):
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches this app before the apps listed after it have their permissions: make them all now.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)

    for role, perms in collected_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=f"role:{role}")
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def apply_role(user) -> None:
    """Put the user in exactly their role's group; staff roles may use the admin."""
    from django.contrib.auth.models import Group

    groups = [g for g in user.groups.all() if g.name.startswith("role:")]
    for g in groups:
        if g.name != f"role:{user.role}":
            user.groups.remove(g)
    group, _ = Group.objects.get_or_create(name=f"role:{user.role}")
    user.groups.add(group)
