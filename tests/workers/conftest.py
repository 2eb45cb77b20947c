import pytest

from accounts.models import Role
from tests import factories

from .factories import make_worker


@pytest.fixture
def tree(tree):
    """The shared tree, with every node re-read: MPTT columns held in memory go stale as nodes are added."""
    for node in tree.values():
        node.refresh_from_db()
    return tree


@pytest.fixture
def workers(tree):
    """One worker per grid of the `tree` fixture: 甲社区 (urban, full-time), 甲村 and 乙村 (village, part-time)."""
    return {
        "c1": make_worker(tree["grid_c1"], name="张三"),
        "v1": make_worker(tree["grid_v1"], name="李四"),
        "b1": make_worker(tree["grid_b1"], name="王五"),
    }


@pytest.fixture
def outsider(tree):
    """Town sub-centre staff of 乙镇 (town_b): sees none of 甲镇's workers."""
    return factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"])


@pytest.fixture
def village_staff(tree):
    return factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])
