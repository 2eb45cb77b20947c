"""Every scoped read of the assessment app."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role

from .choices import RunStatus
from .models import Appeal, AssessmentRun, Result, Scheme, Score, SupervisionCheck

VISIBLE_TO_SUBJECTS = (RunStatus.PUBLISHED, RunStatus.FROZEN, RunStatus.SUPERSEDED)


def is_assessment_staff(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role in (Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF))
    )


def scheme_list(*, user):
    if not is_assessment_staff(user):
        return Scheme.objects.none()
    return Scheme.objects.all()


def run_list(*, user, scheme: Scheme | None = None):
    qs = AssessmentRun.objects.select_related("scheme")
    if not is_assessment_staff(user):
        if not user.is_authenticated:
            return qs.none()
        own = Result.objects.filter(own_results_q(user)).values("run_id")
        qs = qs.filter(status__in=VISIBLE_TO_SUBJECTS, pk__in=own)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    return qs


def own_results_q(user) -> Q:
    """A user's own results: the account recorded at computation, or (if the sign-in came later) the worker
    whose sign-in the user is now."""
    q = Q(user=user)
    worker = getattr(user, "worker", None) if user.is_authenticated else None
    if worker is not None:
        q |= Q(subject_type="worker", subject_id=worker.pk)
    return q


def is_own_result(result: Result, user) -> bool:
    if not user.is_authenticated:
        return False
    if result.user_id == user.pk:
        return True
    worker = getattr(user, "worker", None)
    return worker is not None and result.subject_type == "worker" and result.subject_id == worker.pk


def result_list(*, user, run: AssessmentRun | None = None):
    """Staff see the results in their jurisdiction; a worker sees only their own published results."""
    qs = Result.objects.select_related("run__scheme", "area", "town")
    if is_assessment_staff(user):
        qs = qs.visible_to(user)
    elif user.is_authenticated:
        qs = qs.filter(own_results_q(user), run__status__in=VISIBLE_TO_SUBJECTS)
    else:
        qs = qs.none()
    if run is not None:
        qs = qs.filter(run=run)
    return qs


def my_results(*, user):
    if not user.is_authenticated:
        return Result.objects.none()
    return (
        Result.objects.filter(own_results_q(user), run__status__in=VISIBLE_TO_SUBJECTS)
        .select_related("run__scheme")
        .order_by("-run__scheme__year", "-run__version")
    )


def score_list(*, user, result: Result):
    return Score.objects.filter(result__in=result_list(user=user), result=result).select_related("indicator")


def check_list(*, user):
    return SupervisionCheck.objects.visible_to(user).select_related("area", "inspector")


def appeal_list(*, user):
    qs = Appeal.objects.select_related("result__run__scheme", "appellant", "decided_by")
    if is_assessment_staff(user):
        return qs.visible_to(user)
    if not user.is_authenticated:
        return qs.none()
    own = Result.objects.filter(own_results_q(user)).values("pk")
    return qs.filter(Q(appellant=user) | Q(result__in=own))


@dataclass
class RecordRow:
    id: int
    label: str
    counted: bool
    url: str
    missing: bool = False


# Records whose own label would name a person in a special or care group (sensitive, DOMAIN §9): shown by
# id and date only.
SAFE_LABELS = {
    "registry.visit": lambda visit: (
        f"{gettext('visit')} #{visit.pk} · {timezone.localtime(visit.visited_at):%Y-%m-%d}"
    ),
}


def score_records(*, score: Score, user) -> list[RecordRow]:
    """The drill-down: the records that produced a score, each marked whether it counted in the numerator.

    Records that the asking user may not see (outside their scope) or that were deleted since are listed by
    id only.
    """
    if not score.record_kind or not score.record_ids:
        return []
    try:
        model = apps.get_model(score.record_kind)
    except (LookupError, ValueError):
        model = None
    found = {}
    if model is not None:
        qs = model._default_manager.filter(pk__in=score.record_ids)
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(user)
        if score.record_kind not in SAFE_LABELS:
            # Labels read the records' foreign keys: fetch them with the records, not one query per row.
            qs = qs.select_related(*[f.name for f in model._meta.fields if f.many_to_one and f.null is False])
        found = {obj.pk: obj for obj in qs}
    counted = set(score.numerator_ids)
    rows = []
    for pk in score.record_ids:
        obj = found.get(pk)
        url = ""
        if obj is not None and model is not None:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{pk}/change/"
        if obj is None:
            label = f"#{pk}"
        elif score.record_kind in SAFE_LABELS:
            label = SAFE_LABELS[score.record_kind](obj)
        else:
            label = str(obj)
        rows.append(RecordRow(id=pk, label=label, counted=pk in counted, url=url, missing=obj is None))
    return rows
