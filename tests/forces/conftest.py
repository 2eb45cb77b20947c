import pytest

from accounts.models import Role
from forces.choices import ForceSubtype
from tests import factories

from .factories import make_member


@pytest.fixture
def village_user(tree):
    """Village staff of 甲村 (in 甲镇)."""
    return factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])


@pytest.fixture
def outsider(tree):
    """Town staff of 乙镇: sees nothing of 甲镇."""
    return factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"])


@pytest.fixture
def town_cadre(tree):
    user = factories.UserFactory(role=Role.GRID_WORKER, jurisdiction=tree["village"], phone="13900000001")
    return make_member(tree["town_a"], subtype=ForceSubtype.TOWN_CADRE, name="甲镇干部", user=user)


@pytest.fixture
def emergency_members(tree):
    """Three emergency members in 甲镇 (two in 甲村's grid, one in 甲社区) and one in 乙镇."""
    return {
        "v1": make_member(
            tree["grid_v1"],
            name="应急甲一",
            user=factories.UserFactory(role=Role.GRID_WORKER, phone="13900000011"),
        ),
        "v2": make_member(tree["grid_v1"], name="应急甲二"),
        "c1": make_member(tree["community"], name="应急社区", subtype=ForceSubtype.CADRE),
        "b1": make_member(tree["grid_b1"], name="应急乙一"),
    }
