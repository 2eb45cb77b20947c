"""Every write of the assessment app: schemes, supervision checks, computation, publication, appeals."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError
from core.notifications import notify
from grids.choices import GRID_KINDS, TOWN_KINDS

from .choices import AppealStatus, IndicatorSource, PeerField, RunStatus, SchemeStatus, SubjectType
from .engine import Context, Measure, Subject, area_index, load_subjects
from .formulas import FORMULAS
from .models import (
    Appeal,
    AssessmentRun,
    GradeBand,
    Indicator,
    PeerGroup,
    Result,
    Scheme,
    Score,
    SupervisionCheck,
)

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")

INDICATOR_FIELDS = ("code", "name", "weight", "source", "formula", "params", "score_when_empty", "order")
PEER_GROUP_FIELDS = ("code", "name", "match_field", "match_value", "order")
BAND_FIELDS = ("grade", "min_score")


# -- schemes -------------------------------------------------------------------------------------------


def _weights_total(indicators) -> Decimal:
    return sum(
        (Decimal(str(i["weight"] if isinstance(i, dict) else i.weight)) for i in indicators), Decimal(0)
    )


def check_weights(indicators) -> None:
    total = _weights_total(indicators)
    if total != HUNDRED:
        raise ValidationError(
            {
                "indicators": gettext("The weights of a scheme must sum to 100; these sum to %(total)s.")
                % {"total": format(total.normalize(), "f") if total else "0"}
            },
            code="weights_sum",
        )


def scheme_problems(scheme: Scheme) -> list[str]:
    """Everything that stops a scheme from being used, in words an administrator understands."""
    problems = []
    indicators = list(scheme.indicators.all())
    if not indicators:
        problems.append(gettext("The scheme has no indicators."))
    else:
        try:
            check_weights(indicators)
        except ValidationError as exc:
            problems.extend(exc.messages)
    for ind in indicators:
        problems.extend(_indicator_problems(ind.code, ind.formula, ind.source, scheme.subject_type))
    bands = list(scheme.grade_bands.all())
    if not bands:
        problems.append(gettext("The scheme has no grade bands."))
    elif min(b.min_score for b in bands) != 0:
        problems.append(gettext("The lowest grade band must start at 0 so that every subject gets a grade."))
    if scheme.period_end < scheme.period_start:
        problems.append(gettext("The period ends before it starts."))
    return problems


def _indicator_problems(code, formula_code, source, subject_type) -> list[str]:
    formula = FORMULAS.get(formula_code)
    if formula is None:
        return [
            gettext("Indicator %(code)s: unknown formula %(formula)s.")
            % {"code": code, "formula": formula_code}
        ]
    problems = []
    if not formula.available():
        problems.append(
            gettext(
                "Indicator %(code)s: formula %(formula)s needs records this installation does not have yet."
            )
            % {"code": code, "formula": formula_code}
        )
    if subject_type not in formula.subject_types:
        problems.append(
            gettext("Indicator %(code)s: formula %(formula)s does not apply to this subject type.")
            % {"code": code, "formula": formula_code}
        )
    if source != formula.source:
        problems.append(
            gettext("Indicator %(code)s: formula %(formula)s is %(source)s.")
            % {"code": code, "formula": formula_code, "source": IndicatorSource(formula.source).label}
        )
    return problems


def _default_period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _check_unique(year, subject_type, exclude_pk=None):
    clash = Scheme.objects.filter(year=year, subject_type=subject_type).exclude(status=SchemeStatus.RETIRED)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "year": gettext("There is already a %(year)s scheme for %(subject)s; retire it first.")
                % {"year": year, "subject": SubjectType(subject_type).label}
            },
            code="scheme_exists",
        )


def _write_parts(scheme, *, indicators=None, peer_groups=None, grade_bands=None):
    if indicators is not None:
        check_weights(indicators)
        codes = [i["code"] for i in indicators]
        if len(codes) != len(set(codes)):
            raise ValidationError({"indicators": gettext("Indicator codes must be different.")})
        for item in indicators:
            item = {
                "source": FORMULAS[item["formula"]].source if item.get("formula") in FORMULAS else "",
                **item,
            }
            problems = _indicator_problems(item["code"], item["formula"], item["source"], scheme.subject_type)
            if problems:
                raise ValidationError({"indicators": problems})
        scheme.indicators.all().delete()
        for n, item in enumerate(indicators):
            data = {k: item[k] for k in INDICATOR_FIELDS if k in item}
            data.setdefault("source", FORMULAS[item["formula"]].source)
            data.setdefault("order", n)
            ind = Indicator(scheme=scheme, **data)
            ind.full_clean(exclude=["scheme"])
            ind.save()
    if peer_groups is not None:
        scheme.peer_groups.all().delete()
        for n, item in enumerate(peer_groups):
            data = {k: item[k] for k in PEER_GROUP_FIELDS if k in item}
            data.setdefault("order", n)
            group = PeerGroup(scheme=scheme, **data)
            group.full_clean(exclude=["scheme"])
            group.save()
    if grade_bands is not None:
        scheme.grade_bands.all().delete()
        grades = [b["grade"] for b in grade_bands]
        if len(grades) != len(set(grades)):
            raise ValidationError({"grade_bands": gettext("Each grade may have only one band.")})
        for item in grade_bands:
            band = GradeBand(scheme=scheme, **{k: item[k] for k in BAND_FIELDS})
            band.full_clean(exclude=["scheme"])
            band.save()


@transaction.atomic
def scheme_create(
    *,
    year: int,
    subject_type: str,
    name: str,
    indicators: list[dict],
    peer_groups: list[dict] | None = None,
    grade_bands: list[dict] | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    appeal_days: int = 7,
    description: str = "",
    actor=None,
) -> Scheme:
    check_weights(indicators)
    _check_unique(year, subject_type)
    start, end = _default_period(year)
    scheme = Scheme(
        year=year,
        subject_type=subject_type,
        name=name,
        description=description,
        period_start=period_start or start,
        period_end=period_end or end,
        appeal_days=appeal_days,
        created_by=actor,
    )
    scheme.full_clean()
    scheme.save()
    _write_parts(
        scheme,
        indicators=indicators,
        peer_groups=peer_groups or [],
        grade_bands=grade_bands if grade_bands is not None else default_grade_bands(),
    )
    return scheme


def default_grade_bands() -> list[dict]:
    return [
        {"grade": "excellent", "min_score": Decimal("90")},
        {"grade": "competent", "min_score": Decimal("75")},
        {"grade": "basic", "min_score": Decimal("60")},
        {"grade": "incompetent", "min_score": Decimal("0")},
    ]


def _lock_draft(scheme: Scheme) -> Scheme:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status != SchemeStatus.DRAFT:
        raise ConflictError(_("A scheme in use cannot be edited, only copied."), current_state=scheme.status)
    return scheme


@transaction.atomic
def scheme_update(
    *, scheme: Scheme, actor=None, indicators=None, peer_groups=None, grade_bands=None, **fields
) -> Scheme:
    scheme = _lock_draft(scheme)
    allowed = {"name", "description", "period_start", "period_end", "appeal_days", "year"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            gettext("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    for key, value in fields.items():
        setattr(scheme, key, value)
    if "year" in fields:
        _check_unique(scheme.year, scheme.subject_type, exclude_pk=scheme.pk)
    scheme.full_clean()
    scheme.save()
    _write_parts(scheme, indicators=indicators, peer_groups=peer_groups, grade_bands=grade_bands)
    return scheme


@transaction.atomic
def scheme_copy(*, scheme: Scheme, year: int | None = None, name: str = "", actor=None) -> Scheme:
    """The way to change a scheme in use: copy it (to another year, or after retiring it) and edit the copy."""
    year = year or scheme.year
    _check_unique(year, scheme.subject_type)
    shift = year - scheme.year

    def moved(d: dt.date) -> dt.date:
        try:
            return d.replace(year=d.year + shift)
        except ValueError:  # 29 February
            return d.replace(year=d.year + shift, day=28)

    copy = Scheme.objects.create(
        year=year,
        subject_type=scheme.subject_type,
        name=name or scheme.name,
        description=scheme.description,
        period_start=moved(scheme.period_start),
        period_end=moved(scheme.period_end),
        appeal_days=scheme.appeal_days,
        copied_from=scheme,
        created_by=actor,
    )
    _write_parts(
        copy,
        indicators=[{k: getattr(i, k) for k in INDICATOR_FIELDS} for i in scheme.indicators.all()],
        peer_groups=[{k: getattr(g, k) for k in PEER_GROUP_FIELDS} for g in scheme.peer_groups.all()],
        grade_bands=[{k: getattr(b, k) for k in BAND_FIELDS} for b in scheme.grade_bands.all()],
    )
    return copy


@transaction.atomic
def scheme_retire(*, scheme: Scheme, actor=None) -> Scheme:
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status == SchemeStatus.RETIRED:
        raise ConflictError(_("The scheme is already retired."), current_state=scheme.status)
    scheme.status = SchemeStatus.RETIRED
    scheme.save(update_fields=["status", "updated_at"])
    return scheme


# -- supervision checks --------------------------------------------------------------------------------


@transaction.atomic
def check_record(
    *,
    inspector,
    subject_type: str,
    checked_on: dt.date,
    findings: str,
    points: Decimal,
    area=None,
    worker=None,
    photo=None,
    indicator_code: str = "",
) -> SupervisionCheck:
    points = Decimal(str(points))
    if subject_type == SubjectType.WORKER:
        if worker is None:
            raise ValidationError({"worker": gettext("Name the grid worker who was checked.")})
        area = worker.grid
    elif worker is not None:
        raise ValidationError({"worker": gettext("Only a check on a worker names a worker.")})
    if area is None:
        raise ValidationError({"area": gettext("Name the grid or town that was checked.")})
    if subject_type == SubjectType.GRID and area.kind not in GRID_KINDS:
        raise ValidationError({"area": gettext("A check on a grid must name a grid.")})
    if subject_type == SubjectType.TOWN and area.kind not in TOWN_KINDS:
        raise ValidationError({"area": gettext("A check on a town must name a town or subdistrict.")})
    from grids.models import Area

    if not Area.objects.visible_to(inspector).filter(pk=area.pk).exists():
        raise ValidationError({"area": gettext("This place is outside your jurisdiction.")})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": gettext("A check cannot be dated in the future.")})
    if not findings.strip():
        raise ValidationError({"findings": gettext("Write down what the check found.")})
    if not Decimal("-100") <= points <= Decimal("100") or points == 0:
        raise ValidationError({"points": gettext("Points are between -100 and 100 and not zero.")})
    check = SupervisionCheck(
        subject_type=subject_type,
        area=area,
        inspector=inspector,
        checked_on=checked_on,
        findings=findings.strip(),
        points=points,
        indicator_code=indicator_code,
    )
    if worker is not None:
        check.worker = worker
    if photo:
        check.photo = photo
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def check_void(*, check: SupervisionCheck, reason: str, actor) -> SupervisionCheck:
    """A wrong check is voided, never deleted: results already computed still point at it."""
    check = SupervisionCheck.objects.select_for_update().get(pk=check.pk)
    if check.voided_at is not None:
        raise ConflictError(_("The check is already voided."), current_state="voided")
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say why the check is voided.")})
    check.voided_at = timezone.now()
    check.void_reason = reason.strip()
    check.save(update_fields=["voided_at", "void_reason", "updated_at"])
    return check


# -- computation ---------------------------------------------------------------------------------------


@transaction.atomic
def run_start(
    *, scheme: Scheme, actor=None, reason: str = "", based_on: AssessmentRun | None = None, queue: bool = True
):
    """Queue a computation of the whole scheme; the first one puts the scheme in use."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status == SchemeStatus.RETIRED:
        raise ConflictError(_("A retired scheme cannot be computed."), current_state=scheme.status)
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError(problems)
    if scheme.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ConflictError(_("This scheme is being computed already."), current_state=RunStatus.RUNNING)
    if scheme.status == SchemeStatus.DRAFT:
        scheme.status = SchemeStatus.IN_USE
        scheme.save(update_fields=["status", "updated_at"])
    version = (scheme.runs.aggregate(m=Max("version"))["m"] or 0) + 1
    run = AssessmentRun.objects.create(
        scheme=scheme,
        version=version,
        reason=reason or (gettext("recomputation") if version > 1 else gettext("first computation")),
        based_on=based_on,
        created_by=actor,
        progress_total=scheme.indicators.count() + 2,
    )
    if queue:
        from .tasks import compute_run

        transaction.on_commit(lambda: compute_run.delay(run.pk))
    return run


def _progress(run, done, note):
    AssessmentRun.objects.filter(pk=run.pk).update(progress_done=done, progress_note=str(note)[:200])


def _peer_group_of(subject: Subject, groups: list[PeerGroup]) -> str:
    for g in groups:
        if g.match_field == PeerField.ANY or str(subject.attrs.get(g.match_field, "")) == g.match_value:
            return g.name
    return gettext("others") if groups else ""


def _normalise(kind, value, *, empty, best, params) -> Decimal:
    if kind == "points":
        base = Decimal(str(params.get("base", 100)))
        score = base + (value or 0)
    elif value is None:
        return empty
    elif kind == "rate":
        score = value * HUNDRED
    elif kind == "inverse_rate":
        score = (1 - value) * HUNDRED
    elif kind == "relative":
        if not best:
            return empty
        score = value / best * HUNDRED
    else:  # pragma: no cover - a formula registered with an unknown kind
        raise ValueError(kind)
    return min(HUNDRED, max(Decimal(0), Decimal(score))).quantize(CENT, ROUND_HALF_UP)


def _ranks(totals: list[tuple[int, Decimal]]) -> dict[int, int]:
    """Standard competition ranking (1, 2, 2, 4): equal totals share a rank."""
    ranks, previous, rank = {}, None, 0
    for position, (subject_id, total) in enumerate(sorted(totals, key=lambda t: -t[1]), start=1):
        if total != previous:
            rank, previous = position, total
        ranks[subject_id] = rank
    return ranks


def run_compute(*, run: AssessmentRun) -> AssessmentRun:
    """Compute every indicator for every subject, normalise, weight, rank within peer groups and grade.

    Progress is written on the run row as each step finishes (outside the final transaction, so the page
    can poll it); the results themselves are written in one transaction at the end.
    """
    claimed = AssessmentRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress_done=0, error=""
    )
    if not claimed:
        return AssessmentRun.objects.get(pk=run.pk)
    started = time.monotonic()
    try:
        _compute(run)
    except Exception:
        AssessmentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=traceback.format_exc()[-4000:], finished_at=timezone.now()
        )
        raise
    AssessmentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DRAFT,
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
        progress_done=run.progress_total,
        progress_note=gettext("done"),
    )
    return AssessmentRun.objects.get(pk=run.pk)


def _compute(run: AssessmentRun) -> None:
    scheme = run.scheme
    indicators = list(scheme.indicators.all())
    groups = list(scheme.peer_groups.all())
    bands = sorted(scheme.grade_bands.all(), key=lambda b: -b.min_score)
    total_steps = len(indicators) + 2
    AssessmentRun.objects.filter(pk=run.pk).update(progress_total=total_steps)
    run.progress_total = total_steps

    grid_of, town_of, areas = area_index()
    subjects = load_subjects(scheme.subject_type, grid_of, town_of, areas)
    ctx = Context(scheme=scheme, subjects=subjects, grid_of=grid_of, town_of=town_of)
    group_of = {s.id: _peer_group_of(s, groups) for s in subjects}
    _progress(run, 1, gettext("subjects loaded"))

    measures: dict[int, dict[int, object]] = {}
    for step, ind in enumerate(indicators, start=2):
        measures[ind.pk] = FORMULAS[ind.formula].func(ctx, ind)
        _progress(run, step, ind.name)

    scored: dict[int, list[tuple]] = defaultdict(list)
    for ind in indicators:
        kind = FORMULAS[ind.formula].kind
        by_subject = measures[ind.pk]
        best: dict[str, Decimal] = defaultdict(Decimal)
        if kind == "relative":
            for s in subjects:
                m = by_subject.get(s.id)
                if m is not None and m.value is not None:
                    best[group_of[s.id]] = max(best[group_of[s.id]], m.value)
        for s in subjects:
            m = by_subject.get(s.id)
            if m is None:
                m = Measure(value=Decimal(0) if kind in ("points", "relative") else None)
                if kind not in ("points", "relative"):
                    m.numerator, m.denominator = Decimal(0), Decimal(0)
            normalised = _normalise(
                kind, m.value, empty=ind.score_when_empty, best=best.get(group_of[s.id]), params=ind.params
            )
            weighted = (normalised * ind.weight / HUNDRED).quantize(MILLI, ROUND_HALF_UP)
            scored[s.id].append((ind, m, normalised, weighted))

    totals = {
        s.id: sum((w for *_, w in scored[s.id]), Decimal(0)).quantize(CENT, ROUND_HALF_UP) for s in subjects
    }
    by_group: dict[str, list] = defaultdict(list)
    for s in subjects:
        by_group[group_of[s.id]].append((s.id, totals[s.id]))
    ranks, sizes = {}, {}
    for members in by_group.values():
        ranks.update(_ranks(members))
        for subject_id, _total in members:
            sizes[subject_id] = len(members)

    def grade(total):
        for band in bands:
            if total >= band.min_score:
                return band.grade
        return ""

    with transaction.atomic():
        results = Result.objects.bulk_create(
            [
                Result(
                    run=run,
                    subject_type=scheme.subject_type,
                    subject_id=s.id,
                    subject_code=s.code,
                    subject_name=s.name[:100],
                    area_id=s.area_id,
                    town_id=s.town_id,
                    user_id=s.user_id,
                    peer_group=group_of[s.id],
                    total=totals[s.id],
                    rank=ranks[s.id],
                    group_size=sizes[s.id],
                    grade=grade(totals[s.id]),
                )
                for s in subjects
            ],
            batch_size=1000,
        )
        Score.objects.bulk_create(
            [
                Score(
                    result=result,
                    indicator=ind,
                    value=None if m.value is None else Decimal(m.value).quantize(Decimal("0.0001")),
                    numerator=m.numerator,
                    denominator=m.denominator,
                    normalised=normalised,
                    weighted=weighted,
                    record_kind=m.record_kind,
                    record_ids=m.record_ids,
                    numerator_ids=m.numerator_ids,
                    detail=m.detail,
                )
                for result in results
                for ind, m, normalised, weighted in scored[result.subject_id]
            ],
            batch_size=1000,
        )


# -- review, publication, freeze ------------------------------------------------------------------------


def _transition(run, *, allowed, to, actor, **stamps) -> AssessmentRun:
    run = AssessmentRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in allowed:
        raise ConflictError(
            gettext("A version that is %(state)s cannot become %(to)s.")
            % {"state": RunStatus(run.status).label, "to": RunStatus(to).label},
            current_state=run.status,
        )
    run.status = to
    for key, value in stamps.items():
        setattr(run, key, value)
    run.save()
    return run


@transaction.atomic
def run_review(*, run: AssessmentRun, actor) -> AssessmentRun:
    return _transition(
        run,
        allowed={RunStatus.DRAFT},
        to=RunStatus.REVIEWED,
        actor=actor,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )


@transaction.atomic
def run_return_to_draft(*, run: AssessmentRun, actor) -> AssessmentRun:
    return _transition(run, allowed={RunStatus.REVIEWED}, to=RunStatus.DRAFT, actor=actor, reviewed_at=None)


@transaction.atomic
def run_publish(*, run: AssessmentRun, actor) -> AssessmentRun:
    """Publish a reviewed version: the subjects may see it and appeal until the window closes.

    An earlier published (not frozen) version of the same scheme is superseded; frozen ones stay as they are.
    """
    now = timezone.now()
    run = _transition(
        run,
        allowed={RunStatus.REVIEWED},
        to=RunStatus.PUBLISHED,
        actor=actor,
        published_by=actor,
        published_at=now,
        appeal_deadline=now + dt.timedelta(days=run.scheme.appeal_days),
    )
    AssessmentRun.objects.filter(scheme=run.scheme, status=RunStatus.PUBLISHED).exclude(pk=run.pk).update(
        status=RunStatus.SUPERSEDED
    )
    url = reverse("assessment:mine")
    for result in run.results.filter(user__isnull=False).select_related("user"):
        notify(
            recipient=result.user,
            title=gettext("Your %(scheme)s result is published") % {"scheme": run.scheme},
            body=gettext("Total %(total)s, rank %(rank)s of %(size)s.")
            % {"total": result.total, "rank": result.rank, "size": result.group_size},
            url=url,
            kind="assessment",
            key=f"assessment-published-{result.pk}",
        )
    return run


@transaction.atomic
def run_freeze(*, run: AssessmentRun, actor) -> AssessmentRun:
    """Freeze a published version once the appeal window is over and every appeal is decided."""
    locked = AssessmentRun.objects.select_for_update().get(pk=run.pk)
    if locked.status == RunStatus.PUBLISHED:
        if locked.appeal_deadline and timezone.now() < locked.appeal_deadline:
            raise ConflictError(
                gettext("Appeals are open until %(deadline)s; freeze after that.")
                % {"deadline": timezone.localtime(locked.appeal_deadline).strftime("%Y-%m-%d %H:%M")},
                current_state=locked.status,
            )
        if Appeal.objects.filter(result__run=locked, status=AppealStatus.PENDING).exists():
            raise ConflictError(
                _("Decide every pending appeal before freezing."), current_state=locked.status
            )
    return _transition(
        locked,
        allowed={RunStatus.PUBLISHED},
        to=RunStatus.FROZEN,
        actor=actor,
        frozen_by=actor,
        frozen_at=timezone.now(),
    )


# -- appeals -------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_submit(*, result: Result, user, reason: str) -> Appeal:
    run = result.run
    from .selectors import is_own_result

    if not is_own_result(result, user):
        raise ValidationError(gettext("Only the assessed worker may appeal their own result."))
    if run.status != RunStatus.PUBLISHED:
        raise ConflictError(_("Only a published result can be appealed."), current_state=run.status)
    if run.appeal_deadline and timezone.now() > run.appeal_deadline:
        raise ConflictError(_("The appeal window has closed."), current_state="appeal_closed")
    if not reason.strip():
        raise ValidationError({"reason": gettext("Say what is wrong with the result.")})
    if Appeal.objects.filter(result=result, status=AppealStatus.PENDING).exists():
        raise ConflictError(
            _("An appeal on this result is already waiting for a decision."), current_state="pending"
        )
    return Appeal.objects.create(result=result, appellant=user, reason=reason.strip())


@transaction.atomic
def appeal_decide(*, appeal: Appeal, upheld: bool, reason: str, actor, recompute: bool = False) -> Appeal:
    """Decide an appeal with a reason. An upheld appeal may recompute the scheme, making a new version
    (after the records behind it were corrected, e.g. a wrong supervision check voided)."""
    appeal = Appeal.objects.select_for_update().select_related("result__run__scheme").get(pk=appeal.pk)
    if appeal.status != AppealStatus.PENDING:
        raise ConflictError(_("This appeal has already been decided."), current_state=appeal.status)
    if not reason.strip():
        raise ValidationError({"decision_reason": gettext("A decision needs a reason.")})
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.decision_reason = reason.strip()
    if upheld and recompute:
        appeal.new_run = run_start(
            scheme=appeal.result.run.scheme,
            actor=actor,
            reason=gettext("appeal %(id)s upheld") % {"id": appeal.pk},
            based_on=appeal.result.run,
        )
    appeal.save()
    notify(
        recipient=appeal.appellant,
        title=gettext("Your appeal was %(status)s") % {"status": appeal.get_status_display()},
        body=appeal.decision_reason,
        url=reverse("assessment:result-detail", args=[appeal.result_id]),
        kind="assessment",
        key=f"assessment-appeal-{appeal.pk}",
    )
    return appeal
