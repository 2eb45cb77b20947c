from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessment import services
from assessment.choices import SchemeStatus
from assessment.models import Indicator
from core.errors import ConflictError

from .conftest import YEAR, compute, grid_scheme

pytestmark = pytest.mark.django_db


def indicator(code, weight, formula="supervision_points"):
    return {"code": code, "name": code, "weight": Decimal(weight), "formula": formula}


def test_a_scheme_whose_weights_do_not_sum_to_100_is_refused(tree):
    with pytest.raises(ValidationError) as exc:
        grid_scheme(indicators=[indicator("a", "60"), indicator("b", "30")])
    assert "100" in exc.value.messages[0]
    assert "90" in exc.value.messages[0]


def test_weights_summing_to_100_are_accepted_and_default_grade_bands_added(tree):
    scheme = grid_scheme(indicators=[indicator("a", "60"), indicator("b", "40")])
    assert scheme.indicators.count() == 2
    assert [b.grade for b in scheme.grade_bands.all()] == ["excellent", "competent", "basic", "incompetent"]


def test_an_unknown_formula_is_refused(tree):
    with pytest.raises(ValidationError):
        grid_scheme(indicators=[indicator("a", "100", formula="no_such_formula")])


def test_one_scheme_per_year_and_subject_type(tree):
    grid_scheme()
    with pytest.raises(ValidationError):
        grid_scheme(name="another")


def test_a_draft_scheme_can_be_edited_but_updating_weights_away_from_100_is_refused(tree):
    scheme = grid_scheme()
    services.scheme_update(
        scheme=scheme, name="改名", indicators=[indicator("a", "50"), indicator("b", "50")]
    )
    assert scheme.indicators.count() == 2
    with pytest.raises(ValidationError):
        services.scheme_update(scheme=scheme, indicators=[indicator("a", "50")])
    assert scheme.indicators.count() == 2


def test_a_scheme_in_use_cannot_be_edited_only_copied(tree):
    scheme = grid_scheme()
    compute(scheme)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.IN_USE
    with pytest.raises(ConflictError):
        services.scheme_update(scheme=scheme, name="改名")
    ind = scheme.indicators.get()
    ind.weight = Decimal("50")
    with pytest.raises(ConflictError):
        ind.save()
    with pytest.raises(ConflictError):
        Indicator.objects.get(pk=ind.pk).delete()

    copy = services.scheme_copy(scheme=scheme, year=YEAR + 1)
    assert copy.status == SchemeStatus.DRAFT
    assert copy.copied_from == scheme
    assert copy.period_start.year == YEAR + 1
    assert list(copy.indicators.values_list("code", "weight")) == [("supervision", Decimal("100.00"))]
    assert copy.peer_groups.count() == 2
    services.scheme_update(scheme=copy, name="下一年")


def test_copying_to_a_year_that_has_a_scheme_is_refused_until_it_is_retired(tree):
    scheme = grid_scheme()
    with pytest.raises(ValidationError):
        services.scheme_copy(scheme=scheme)
    services.scheme_retire(scheme=scheme)
    copy = services.scheme_copy(scheme=scheme)
    assert copy.year == YEAR
