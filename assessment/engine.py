"""The computation context shared by every indicator formula.

A formula receives a `Context` and returns `{subject_id: Measure}` for the whole scheme at once: it runs one
aggregate query (grouped by grid or by worker) and the context rolls the groups up to the subjects (a worker
gets the records of their grid, a grid those of itself and its sub-grids, a town those of every grid below
it). No formula queries per subject.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import BooleanField, Case, Count, Q, Sum, When
from django.utils import timezone

from grids.choices import TOWN_KINDS, AreaKind
from grids.models import Area

from .choices import SubjectType


@dataclass
class Subject:
    id: int
    code: str
    name: str
    area_id: int
    town_id: int | None
    user_id: int | None = None
    attrs: dict = field(default_factory=dict)


@dataclass
class Measure:
    """What a formula found for one subject: a raw value and the records behind it."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    record_kind: str = ""
    record_ids: list[int] = field(default_factory=list)
    numerator_ids: list[int] = field(default_factory=list)
    detail: dict = field(default_factory=dict)


def area_index() -> tuple[dict[int, int | None], dict[int, int | None], dict[int, Area]]:
    """For every area: its level-1 grid (itself or an ancestor) and its town, in one query."""
    rows = {a.pk: a for a in Area.objects.only("id", "parent_id", "kind", "code", "name", "grid_type")}
    grid_of: dict[int, int | None] = {}
    town_of: dict[int, int | None] = {}

    def resolve(pk):
        if pk in grid_of:
            return grid_of[pk], town_of[pk]
        area = rows[pk]
        if area.parent_id is None or area.parent_id not in rows:
            parent_grid, parent_town = None, None
        else:
            parent_grid, parent_town = resolve(area.parent_id)
        grid_of[pk] = pk if area.kind == AreaKind.GRID_L1 else parent_grid
        town_of[pk] = pk if area.kind in TOWN_KINDS else parent_town
        return grid_of[pk], town_of[pk]

    for pk in rows:
        resolve(pk)
    return grid_of, town_of, rows


def worker_model():
    try:
        return apps.get_model("workers", "Worker")
    except LookupError:
        return None


def load_subjects(subject_type: str, grid_of, town_of, areas) -> list[Subject]:
    if subject_type == SubjectType.TOWN:
        return [
            Subject(a.pk, a.code, a.name, a.pk, a.pk, attrs={"area_kind": a.kind})
            for a in sorted(areas.values(), key=lambda a: a.code)
            if a.kind in TOWN_KINDS
        ]
    if subject_type == SubjectType.GRID:
        active = set(Area.objects.filter(kind=AreaKind.GRID_L1, is_active=True).values_list("pk", flat=True))
        return [
            Subject(
                a.pk,
                a.code,
                a.name,
                a.pk,
                town_of.get(a.pk),
                attrs={"grid_type": a.grid_type, "area_kind": a.kind},
            )
            for a in sorted(areas.values(), key=lambda a: a.code)
            if a.pk in active
        ]
    return load_worker_subjects(grid_of, town_of)


def load_worker_subjects(grid_of, town_of) -> list[Subject]:
    Worker = worker_model()
    if Worker is None:
        return []
    # Workers who left are not assessed; those on leave are.
    qs = Worker.objects.filter(grid__isnull=False).exclude(status="left")
    subjects = []
    for w in qs.order_by("pk").values("pk", "name", "grid_id", "user_id", "employment", "category"):
        subjects.append(
            Subject(
                w["pk"],
                str(w["pk"]),
                w["name"],
                w["grid_id"],
                town_of.get(w["grid_id"]),
                w["user_id"],
                attrs={"employment": w["employment"], "category": w["category"]},
            )
        )
    return subjects


class Context:
    def __init__(self, *, scheme, subjects: list[Subject], grid_of, town_of):
        self.scheme = scheme
        self.subject_type = scheme.subject_type
        self.subjects = subjects
        self.subject_ids = {s.id for s in subjects}
        self.grid_of = grid_of
        self.town_of = town_of
        tz = timezone.get_current_timezone()
        self.start_date: dt.date = scheme.period_start
        self.end_date: dt.date = scheme.period_end
        self.start = dt.datetime.combine(scheme.period_start, dt.time.min, tzinfo=tz)
        # Exclusive end: the first instant after the period.
        self.end = dt.datetime.combine(scheme.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        workers_by_grid: dict[int, list[int]] = defaultdict(list)
        if self.subject_type == SubjectType.WORKER:
            for s in subjects:
                workers_by_grid[grid_of.get(s.area_id) or s.area_id].append(s.id)
        self._workers_by_grid = workers_by_grid

    def subjects_for_area(self, area_id) -> list[int]:
        if area_id is None:
            return []
        if self.subject_type == SubjectType.TOWN:
            town = self.town_of.get(area_id)
            return [town] if town in self.subject_ids else []
        grid = self.grid_of.get(area_id)
        if self.subject_type == SubjectType.GRID:
            return [grid] if grid in self.subject_ids else []
        return self._workers_by_grid.get(grid, [])

    def tally(
        self,
        qs,
        *,
        record_kind: str,
        area_key: str,
        worker_key: str | None = None,
        numerator: Q | None = None,
        amount: str | None = None,
    ) -> dict[int, Measure]:
        """One grouped query: per subject, the records (denominator) and those matching `numerator`.

        With `amount`, the numerator is the sum of that column instead of a count (points, for example).
        Workers are grouped by `worker_key` when the records name a worker, otherwise by their grid.
        """
        by_worker = self.subject_type == SubjectType.WORKER and worker_key is not None
        key = worker_key if by_worker else area_key
        measures: dict[int, Measure] = {}
        for group, n, ids, num, num_ids in self._grouped(qs.order_by(), key, numerator, amount):
            targets = (
                ([group] if group in self.subject_ids else []) if by_worker else self.subjects_for_area(group)
            )
            for subject_id in targets:
                m = measures.setdefault(
                    subject_id,
                    Measure(numerator=Decimal(0), denominator=Decimal(0), record_kind=record_kind),
                )
                m.denominator += n
                m.record_ids.extend(ids)
                m.numerator += Decimal(num or 0)
                m.numerator_ids.extend(num_ids)
        for m in measures.values():
            m.record_ids.sort()
            m.numerator_ids.sort()
        return measures

    @staticmethod
    def _grouped(qs, key, numerator, amount, in_database: bool | None = None):
        """(group, count, ids, numerator, numerator ids) per group: aggregated in PostgreSQL, else in Python."""
        if in_database is None:
            in_database = connection.vendor == "postgresql"
        if in_database:
            aggregates = {"n": Count("pk"), "ids": ArrayAgg("pk")}
            if amount is not None:
                aggregates["num"] = Sum(amount)
            elif numerator is not None:
                aggregates["num"] = Count("pk", filter=numerator)
                aggregates["num_ids"] = ArrayAgg("pk", filter=numerator)
            for row in qs.values(key).annotate(**aggregates):
                num_ids = [i for i in row.get("num_ids") or [] if i is not None]
                yield row[key], row["n"], row["ids"] or [], row.get("num", 0), num_ids
            return
        fields = [key, "pk"]
        if amount is not None:
            fields.append(amount)
        elif numerator is not None:
            qs = qs.annotate(
                _counted=Case(When(numerator, then=True), default=False, output_field=BooleanField())
            )
            fields.append("_counted")
        groups: dict = defaultdict(lambda: [0, [], Decimal(0), []])
        for row in qs.values_list(*fields):
            g = groups[row[0]]
            g[0] += 1
            g[1].append(row[1])
            if amount is not None:
                g[2] += Decimal(row[2] or 0)
            elif numerator is not None and row[2]:
                g[2] += 1
                g[3].append(row[1])
        for group, (n, ids, num, num_ids) in groups.items():
            yield group, n, ids, num, num_ids

    def rates(self, measures: dict[int, Measure]) -> dict[int, Measure]:
        """value = numerator / denominator (None when nothing was due)."""
        for m in measures.values():
            m.value = (m.numerator / m.denominator) if m.denominator else None
        return measures
