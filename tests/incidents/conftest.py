import pytest
import time_machine

from accounts.models import Role
from grids.models import Area
from incidents.seed import seed_reference
from tests import factories
from tests.incidents.factories import MONDAY_10


@pytest.fixture
def tree(tree):
    """The shared tree, re-read: nodes created early carry stale MPTT bounds in memory."""
    return {key: Area.objects.get(pk=node.pk) for key, node in tree.items()}


@pytest.fixture
def categories(db):
    seed_reference()


@pytest.fixture
def monday(categories):
    """Frozen time at Monday 2026-11-23 10:00 (Asia/Shanghai), moving only when the test moves it."""
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grid_worker(tree):
    return factories.UserFactory(role=Role.GRID_WORKER, jurisdiction=tree["grid_v1"])


@pytest.fixture
def village_user(tree):
    return factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])


@pytest.fixture
def outsider(tree):
    """Town staff of 乙镇 (town_b): sees nothing of 甲镇."""
    return factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_b"])


@pytest.fixture
def department(db):
    return factories.DepartmentFactory(code="police", name="区公安分局")


@pytest.fixture
def liaison(tree, department):
    return factories.UserFactory(
        role=Role.DEPARTMENT_LIAISON, jurisdiction=tree["district"], department=department
    )
