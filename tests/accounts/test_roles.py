import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import collected_role_permissions, sync_role_groups

pytestmark = pytest.mark.django_db


def test_role_groups_hold_every_declared_permission_even_on_a_fresh_database():
    Permission.objects.all().delete()  # as after a flush: permissions not yet recreated for later apps
    Group.objects.all().delete()
    sync_role_groups()
    for role, perms in collected_role_permissions().items():
        group = Group.objects.get(name=f"role:{role}")
        have = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert have == perms, role
