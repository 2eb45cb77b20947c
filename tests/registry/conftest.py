import pytest

from accounts.models import Role, User
from tests import factories


def fresh(user) -> User:
    """The user as stored: tree positions on an in-memory jurisdiction go stale as the tree grows."""
    return User.objects.select_related("jurisdiction").get(pk=user.pk)


@pytest.fixture
def village_user(tree):
    """Village staff of 甲村 (under town_a)."""
    return fresh(factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"]))


@pytest.fixture
def town_staff(tree):
    """Town sub-centre staff of 甲镇 (town_a), loaded fresh."""
    return fresh(factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"]))


@pytest.fixture
def outsider(tree):
    """Town sub-centre staff of 乙镇 (town_b): sees nothing of town_a."""
    return fresh(factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"]))
