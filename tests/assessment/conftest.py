import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Role
from assessment import services
from tests import factories

YEAR = 2026


def compute(scheme, *, actor=None, reason=""):
    """Queue a computation and run it here, as the Celery worker would."""
    run = services.run_start(scheme=scheme, actor=actor, reason=reason)
    return services.run_compute(run=run)


def publish(run, actor):
    run = services.run_review(run=run, actor=actor)
    return services.run_publish(run=run, actor=actor)


def grid_scheme(**overrides):
    data = {
        "year": YEAR,
        "subject_type": "grid",
        "name": "网格年度考评",
        "indicators": [
            {
                "code": "supervision",
                "name": "日常督导",
                "weight": Decimal("100"),
                "formula": "supervision_points",
            }
        ],
        "peer_groups": [
            {
                "code": "community",
                "name": "社区网格",
                "match_field": "grid_type",
                "match_value": "urban_community",
            },
            {"code": "village", "name": "村网格", "match_field": "grid_type", "match_value": "village"},
        ],
    }
    data.update(overrides)
    return services.scheme_create(**data)


@pytest.fixture
def inspector(tree):
    return factories.UserFactory(role=Role.DISTRICT_STAFF, jurisdiction=tree["district"])


@pytest.fixture
def checked_on():
    return dt.date(YEAR, 3, 15)
