import pytest

from assessment import bench
from assessment.choices import RunStatus, SchemeStatus
from assessment.models import Scheme
from assessment.seed import seed

from .conftest import compute

pytestmark = pytest.mark.django_db


def test_the_seed_creates_draft_schemes_for_this_year_once(tree):
    assert seed() == 3
    assert seed() == 0
    assert set(Scheme.objects.values_list("subject_type", "status")) == {
        ("worker", SchemeStatus.DRAFT),
        ("grid", SchemeStatus.DRAFT),
        ("town", SchemeStatus.DRAFT),
    }


def test_the_generated_year_is_made_once_and_the_default_schemes_compute_over_it(tree):
    from tests.workers.factories import make_worker

    for key in ("grid_c1", "grid_v1", "grid_b1"):
        make_worker(tree[key])
    counts = bench.generate_year(2025)
    assert counts["incidents"] > 100 and counts["duty_logs"] > 300
    assert bench.generate_year(2025) == {}
    for subject_type in ("worker", "grid", "town"):
        run = compute(bench.default_scheme(2025, subject_type))
        assert run.status == RunStatus.DRAFT
        assert run.results.count() == (2 if subject_type == "town" else 3)
        assert all(0 < r.total <= 100 for r in run.results.all())
