"""The indicator formulas, a registry of small functions keyed by formula code.

Each formula computes one indicator for every subject of a scheme in one or two aggregate queries and
returns `{subject_id: Measure}`: the raw value and the ids of the records that produced it. How the raw
value becomes a 0–100 score is the formula's `kind`:

- `rate`: value × 100 (a share between 0 and 1); the indicator's "score when nothing is due" when the
  denominator is 0;
- `inverse_rate`: (1 − value) × 100, for rates where less is better (rework, extension);
- `relative`: value ÷ the best value in the peer group × 100;
- `points`: base (100 unless the indicator's params say otherwise) + the points, kept within 0–100.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import IndicatorSource, SubjectType
from .engine import Context, Measure

ALL_SUBJECTS = frozenset(SubjectType.values)


@dataclass(frozen=True)
class Formula:
    code: str
    label: str
    kind: str
    source: str
    func: Callable[[Context, object], dict[int, Measure]]
    subject_types: frozenset
    requires: tuple[str, ...]

    def available(self) -> bool:
        for label in self.requires:
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                return False
        return True


FORMULAS: dict[str, Formula] = {}


def formula(code, *, label, kind, source=IndicatorSource.COMPUTED, subject_types=ALL_SUBJECTS, requires=()):
    def register(func):
        FORMULAS[code] = Formula(code, label, kind, source, func, frozenset(subject_types), tuple(requires))
        return func

    return register


def formula_choices():
    return [(f.code, f"{f.code} — {f.label}") for f in FORMULAS.values()]


def _model(label):
    return apps.get_model(label)


# -- supervision ---------------------------------------------------------------------------------------


@formula(
    "supervision_points",
    label=_("supervision points (inspectors' additions and deductions)"),
    kind="points",
    source=IndicatorSource.INSPECTED,
)
def supervision_points(ctx: Context, indicator) -> dict[int, Measure]:
    from .models import SupervisionCheck

    qs = SupervisionCheck.objects.filter(
        subject_type=ctx.subject_type,
        checked_on__gte=ctx.start_date,
        checked_on__lte=ctx.end_date,
        voided_at__isnull=True,
    ).filter(Q(indicator_code="") | Q(indicator_code=indicator.code))
    measures = ctx.tally(
        qs,
        record_kind="assessment.supervisioncheck",
        area_key="area_id",
        worker_key="worker_id" if ctx.subject_type == SubjectType.WORKER else None,
        amount="points",
    )
    for m in measures.values():
        m.value = m.numerator
        m.numerator_ids = list(m.record_ids)
    return measures


# -- incidents (DOMAIN §7) ------------------------------------------------------------------------------
# The same definitions as `incidents.selectors.incident_figures`, so a town's score and its dashboard agree:
# cases due are those whose handling deadline falls in the period (rejected and merged reports are not
# cases); a case counts as closed if it was closed by the end of the period.

INCIDENT = "incidents.Incident"
CLOSED_STATUSES = ("closed", "evaluated")
NOT_CASES = ("rejected", "merged")


def _incidents(ctx: Context, field: str):
    return _model(INCIDENT).objects.filter(**{f"{field}__gte": ctx.start, f"{field}__lt": ctx.end})


def _incidents_due(ctx: Context):
    return _incidents(ctx, "handle_deadline").exclude(status__in=NOT_CASES)


def _closed_by_end(ctx: Context) -> Q:
    return Q(status__in=CLOSED_STATUSES, closed_at__lt=ctx.end)


def _incident_rate(ctx: Context, qs, numerator: Q) -> dict[int, Measure]:
    return ctx.rates(ctx.tally(qs, record_kind="incidents.incident", area_key="grid_id", numerator=numerator))


@formula("closure_rate", label=_("closure rate: closed / due"), kind="rate", requires=(INCIDENT,))
def closure_rate(ctx, indicator):
    return _incident_rate(ctx, _incidents_due(ctx), _closed_by_end(ctx))


@formula(
    "on_time_closure_rate",
    label=_("on-time closure rate: closed on time / due"),
    kind="rate",
    requires=(INCIDENT,),
)
def on_time_closure_rate(ctx, indicator):
    return _incident_rate(ctx, _incidents_due(ctx), _closed_by_end(ctx) & Q(closed_on_time=True))


@formula(
    "satisfaction_rate",
    label=_("satisfaction rate: (satisfied + basically satisfied) / evaluated"),
    kind="rate",
    requires=(INCIDENT,),
)
def satisfaction_rate(ctx, indicator):
    evaluated = _incidents(ctx, "evaluated_at").filter(status="evaluated")
    return _incident_rate(ctx, evaluated, Q(satisfaction__in=("satisfied", "basically")))


@formula(
    "grid_resolution_share",
    label=_("share resolved at grid level: closed at grid level / closed"),
    kind="rate",
    requires=(INCIDENT,),
)
def grid_resolution_share(ctx, indicator):
    closed = _incidents(ctx, "closed_at").filter(status__in=CLOSED_STATUSES)
    return _incident_rate(ctx, closed, Q(handled_at_level="grid"))


@formula(
    "rework_rate",
    label=_("rework rate: closed after rework / closed (less is better)"),
    kind="inverse_rate",
    requires=(INCIDENT,),
)
def rework_rate(ctx, indicator):
    return _incident_rate(ctx, _incidents(ctx, "handled_at"), Q(rework_count__gt=0))


@formula(
    "extension_rate",
    label=_("extension rate: extended / due (less is better)"),
    kind="inverse_rate",
    requires=(INCIDENT,),
)
def extension_rate(ctx, indicator):
    return _incident_rate(ctx, _incidents_due(ctx), Q(extension_count__gt=0))


# -- duty logs and training (workers) -----------------------------------------------------------------

DUTY_LOG = "workers.DutyLog"
SERVICE_ROLE = "workers.ServiceRole"
ATTENDANCE = "workers.TrainingAttendance"


def _duty_logs(ctx: Context):
    return _model(DUTY_LOG).objects.filter(occurred_at__gte=ctx.start, occurred_at__lt=ctx.end)


@formula(
    "duty_logs_per_role",
    label=_("duty-log activity per role: logs in each of the five roles against a target, capped"),
    kind="rate",
    subject_types={SubjectType.WORKER, SubjectType.GRID},
    requires=(DUTY_LOG, SERVICE_ROLE),
)
def duty_logs_per_role(ctx: Context, indicator) -> dict[int, Measure]:
    """value = Σ over the roles of min(logs in the role, target) ÷ (target × number of roles).

    The target per role in the period is the indicator's `target_per_role` parameter (default 12, once a
    month): a worker active in every role scores 100, one who only ever logs one kind of work does not.
    """
    target = int(indicator.params.get("target_per_role", 12))
    roles = list(_model(SERVICE_ROLE).objects.order_by("order", "pk").values_list("pk", "code"))
    per_role = {}
    for role_pk, role_code in roles:
        per_role[role_code] = ctx.tally(
            _duty_logs(ctx).filter(role_id=role_pk),
            record_kind="workers.dutylog",
            area_key="grid_id",
            worker_key="worker_id",
        )
    measures: dict[int, Measure] = {}
    for subject in ctx.subjects:
        counts = {code: per_role[code].get(subject.id) for code in per_role}
        m = Measure(record_kind="workers.dutylog", detail={"target_per_role": target, "per_role": {}})
        capped = 0
        for code, found in counts.items():
            n = int(found.denominator) if found else 0
            m.detail["per_role"][code] = n
            capped += min(n, target)
            if found:
                m.record_ids.extend(found.record_ids)
        m.record_ids.sort()
        m.numerator_ids = list(m.record_ids)
        m.numerator = Decimal(capped)
        m.denominator = Decimal(target * len(roles))
        m.value = m.numerator / m.denominator if m.denominator else None
        measures[subject.id] = m
    return measures


@formula(
    "duty_log_count",
    label=_("duty logs in the period, against the best of the peer group"),
    kind="relative",
    requires=(DUTY_LOG,),
)
def duty_log_count(ctx: Context, indicator) -> dict[int, Measure]:
    measures = ctx.tally(
        _duty_logs(ctx), record_kind="workers.dutylog", area_key="grid_id", worker_key="worker_id"
    )
    for m in measures.values():
        m.value = m.denominator
        m.numerator = m.denominator
        m.numerator_ids = list(m.record_ids)
    return measures


@formula(
    "training_attendance",
    label=_("training attendance: sessions attended / sessions invited to"),
    kind="rate",
    requires=(ATTENDANCE,),
)
def training_attendance(ctx: Context, indicator) -> dict[int, Measure]:
    qs = _model(ATTENDANCE).objects.filter(
        session__held_on__gte=ctx.start_date, session__held_on__lte=ctx.end_date
    )
    return ctx.rates(
        ctx.tally(
            qs,
            record_kind="workers.trainingattendance",
            area_key="worker__grid_id",
            worker_key="worker_id",
            numerator=Q(attended=True),
        )
    )


# -- special and care groups (registry) -----------------------------------------------------------------

MEMBERSHIP = "registry.GroupMembership"
VISIT = "registry.Visit"


@formula(
    "visits_done_ratio",
    label=_("special and care group visits: visits done / visits due"),
    kind="rate",
    requires=(MEMBERSHIP, VISIT),
)
def visits_done_ratio(ctx: Context, indicator) -> dict[int, Measure]:
    """Visits due = for each membership, the days it was open in the period ÷ its visit interval (rounded
    down); visits done = the visits recorded in the period, counted up to the number due per membership.
    Two queries (memberships, visits), whatever the number of subjects."""
    memberships = (
        _model(MEMBERSHIP)
        .objects.filter(start_date__lte=ctx.end_date)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=ctx.start_date))
        .values_list(
            "pk", "responsible_id", "resident__grid_id", "start_date", "end_date", "visit_interval_days"
        )
    )
    visits: dict[int, list[int]] = {}
    for membership_id, visit_id in (
        _model(VISIT)
        .objects.filter(visited_at__gte=ctx.start, visited_at__lt=ctx.end)
        .order_by("pk")
        .values_list("membership_id", "pk")
    ):
        visits.setdefault(membership_id, []).append(visit_id)
    by_worker = ctx.subject_type == SubjectType.WORKER
    measures: dict[int, Measure] = {}
    for pk, responsible_id, grid_id, start, end, interval in memberships:
        first, last = max(start, ctx.start_date), min(end or ctx.end_date, ctx.end_date)
        due = max(0, ((last - first).days + 1) // max(1, interval))
        done = visits.get(pk, [])
        targets = ([responsible_id] if responsible_id in ctx.subject_ids else []) if by_worker else None
        for subject_id in ctx.subjects_for_area(grid_id) if targets is None else targets:
            m = measures.setdefault(
                subject_id,
                Measure(numerator=Decimal(0), denominator=Decimal(0), record_kind="registry.visit"),
            )
            m.denominator += due
            m.numerator += min(len(done), due)
            m.record_ids.extend(done)
            m.numerator_ids.extend(done[:due])
    for m in measures.values():
        m.record_ids.sort()
        m.numerator_ids.sort()
    return ctx.rates(measures)
