"""Reads behind the town and district dashboards.

The page and `GET /api/v1/dashboards/...` both call these functions, so they always show the same
numbers. Each section takes its figures from the selectors of the app that owns the data (incidents,
workers, registry, forces); a section whose app is not there yet is simply absent. Every section runs a
fixed number of queries, whatever the number of incidents.
"""

import datetime as dt

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.modules import import_optional
from core.scoping import subtree_filter
from grids.choices import TOWN_KINDS, AreaKind
from grids.models import Area

from . import conf, figures
from .periods import Period


def _cached(section: str, *, user, area: Area, period: Period | None, compute):
    """A slowly changing section, kept for `section_cache_seconds()` per scope (the user's jurisdiction, role
    and permissions), area and period, so a dashboard refreshed all day does not recount it every time."""
    seconds = conf.section_cache_seconds()
    if seconds <= 0:
        return compute()
    scope = "all" if user.is_superuser else f"{user.role}:{user.jurisdiction_id}:{user.department_id}"
    days = f"{period.first}:{period.last}" if period else ""
    key = f"dashboards:{section}:{scope}:{area.pk}:{days}:{timezone.localdate()}:{translation.get_language()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _url(name: str, *args, query: str = "") -> str:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


# ---------------------------------------------------------------- towns


def dashboard_towns(*, user):
    """The towns whose dashboard the user may open: all 18 for district staff, their own for a town."""
    return Area.objects.visible_to(user).filter(kind__in=TOWN_KINDS, is_active=True).order_by("code")


def town_get(*, user, pk) -> Area:
    """A town the user may see; anything else (another town, a village, a missing id) is a 404."""
    town = dashboard_towns(user=user).filter(pk=pk).first()
    if town is None:
        raise Http404("no such town")
    return town


def default_town(*, user) -> Area | None:
    """The town a user lands on: their jurisdiction's town (or its first town for district staff)."""
    node = getattr(user, "jurisdiction", None)
    if node is None:
        return None
    if node.kind in TOWN_KINDS:
        return node
    if node.kind == AreaKind.DISTRICT:
        return dashboard_towns(user=user).first()
    return None


def map_features(*, root: Area, kinds) -> dict:
    """A GeoJSON FeatureCollection of the active areas of `kinds` under `root` that have a boundary."""
    areas = (
        Area.objects.filter(subtree_filter(root), kind__in=list(kinds), is_active=True)
        .exclude(boundary__isnull=True)
        .only("id", "code", "name", "kind", "is_demo", "boundary")
        .order_by("code")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": a.boundary,
                "properties": {"id": a.pk, "code": a.code, "name": str(a), "kind": a.kind},
            }
            for a in areas
        ],
    }


def map_config(*, root: Area, tile_url: str, outline_kinds=()) -> dict:
    """What the map draws: the grid polygons (always, tiles or not), outlines, and which tiles (none if empty).

    The geometry travels with the page, so the map needs no second request and shows what the figures
    were computed on.
    """
    return {
        "grids": map_features(root=root, kinds=[AreaKind.GRID_L1]),
        "outlines": map_features(root=root, kinds=outline_kinds) if outline_kinds else None,
        "tile_url": tile_url,
        "bounds": (
            [[root.min_lat, root.min_lng], [root.max_lat, root.max_lng]] if root.min_lat is not None else None
        ),
    }


# ---------------------------------------------------------------- incidents


def _incident_selectors():
    module = import_optional("incidents.selectors")
    return module if hasattr(module, "incident_figures") else None


def town_figures(*, user, town: Area, period: Period, now) -> dict:
    """The incidents app's figures for the town and period (the same call its API makes)."""
    return _incident_selectors().incident_figures(
        user=user, area=town, start=period.first, end=period.last, now=now
    )


def incident_set(*, user, town: Area, period: Period, key: str, now=None):
    """The incidents behind one card: the set the card counts."""
    sets = figures.card_sets(period=period, now=now or timezone.now())
    if key not in sets:
        raise Http404("no such figure")
    return _incident_selectors().incident_scope(user=user, area=town).filter(sets[key])


def incident_cards(*, town: Area, period: Period, values: dict) -> list[dict]:
    query = period.as_query()
    return figures.cards_from(
        values, url_for=lambda key: _url("dashboards:town-incidents", town.pk, query=f"set={key}&{query}")
    )


def incident_charts(*, user, town: Area, period: Period, now) -> tuple[dict, list[dict]]:
    """Reports and closures per day (per week over three months), by category group, village, grid;
    escalations over time."""
    from incidents.choices import Action
    from incidents.models import IncidentEvent

    sel = _incident_selectors()
    weekly = period.days > 92
    buckets = sorted({_bucket(d, weekly) for d in period.dates()})
    labels = [b.isoformat() for b in buckets]
    reported, closed = dict.fromkeys(buckets, 0), dict.fromkeys(buckets, 0)
    for day in sel.incident_daily(user=user, area=town, start=period.first, end=period.last):
        reported[_bucket(day["date"], weekly)] += day["reported"]
        closed[_bucket(day["date"], weekly)] += day["closed"]
    escalations = dict.fromkeys(buckets, 0)
    rows = (
        IncidentEvent.objects.filter(
            # `town_get` has checked the user sees the whole town, and an incident keeps its town: the
            # indexed column replaces a scoped subquery.
            incident__town=town,
            # Only incidents that were ever escalated: the events are then read by their (incident, at)
            # index instead of a scan of every event.
            incident__escalation_count__gt=0,
            action=Action.ESCALATE,
            at__gte=period.start,
            at__lt=period.end,
        )
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        escalations[_bucket(row["day"], weekly)] += row["n"]

    groups, units, grids = reported_breakdowns(user=user, town=town, period=period)
    per = _("per week") if weekly else _("per day")
    reported_label = str(_("reported"))
    charts = {
        "flow": {
            "type": "line",
            "x": labels,
            "series": [
                {"name": reported_label, "data": [reported[b] for b in buckets]},
                {"name": str(_("closed")), "data": [closed[b] for b in buckets]},
            ],
        },
        "category": {
            "type": "pie",
            "series": [
                {
                    "name": reported_label,
                    "data": [{"name": r["name"], "value": r["reported"]} for r in groups],
                }
            ],
        },
        "unit": {
            "type": "bar",
            "horizontal": True,
            "x": [r["name"] for r in units],
            "series": [{"name": reported_label, "data": [r["reported"] for r in units]}],
        },
        "grid": {
            "type": "bar",
            "horizontal": True,
            "x": [r["name"] for r in grids],
            "series": [{"name": reported_label, "data": [r["reported"] for r in grids]}],
        },
        "escalations": {
            "type": "bar",
            "x": labels,
            "series": [{"name": str(_("escalations")), "data": [escalations[b] for b in buckets]}],
        },
    }
    chart_list = [
        {"key": "flow", "title": str(_("Reports and closures %(per)s") % {"per": per})},
        {"key": "category", "title": str(_("Reported by category"))},
        {"key": "unit", "title": str(_("Reported by village and community"))},
        {"key": "grid", "title": str(_("Reported by grid (busiest 15)"))},
        {"key": "escalations", "title": str(_("Escalations %(per)s") % {"per": per})},
    ]
    return charts, chart_list


def reported_breakdowns(*, user, town: Area, period: Period) -> tuple[list, list, list]:
    """Incidents reported in the period by category group, by village and by grid (busiest 15).

    One query grouped by grid and category group, summed three ways here: the same counts as
    `incident_breakdown(by=…)["reported"]`, in one round trip instead of three.
    """
    rows = (
        _incident_selectors()
        .incident_scope(user=user, area=town)
        .filter(figures.card_sets(period=period, now=timezone.now())["reported"])
        .values("grid_id", "grid__name", "village_id", "village__name", "category__parent__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_group, by_unit, by_grid = {}, {}, {}
    for row in rows:
        group = row["category__parent__name"] or ""
        by_group[group] = by_group.get(group, 0) + row["n"]
        by_unit[row["village__name"]] = by_unit.get(row["village__name"], 0) + row["n"]
        by_grid[row["grid__name"]] = by_grid.get(row["grid__name"], 0) + row["n"]

    def listed(counts):
        return [{"name": name, "reported": n} for name, n in counts.items()]

    groups = sorted(listed(by_group), key=lambda r: (-r["reported"], r["name"]))
    units = sorted(listed(by_unit), key=lambda r: (r["reported"], r["name"] or ""))
    grids = sorted(listed(by_grid), key=lambda r: (r["reported"], r["name"] or ""))[-15:]
    return groups, units, grids


def _bucket(day: dt.date, weekly: bool) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if weekly else day


OVERDUE_LIMIT = 50
MAP_INCIDENT_LIMIT = 500


def overdue_list(*, user, town: Area, period: Period, now, limit: int = OVERDUE_LIMIT) -> list[dict]:
    """Open incidents past their current deadline, oldest deadline first (the "overdue" card's set)."""
    rows = (
        _incident_selectors()
        .incident_scope(user=user, area=town)
        .filter(figures.card_sets(period=period, now=now)["overdue"])
        .select_related("category", "category__parent", "grid")
        .order_by("deadline")[:limit]
    )
    return [
        {
            "id": i.pk,
            "code": i.code,
            "category": str(i.category),
            "grid": str(i.grid),
            "level": i.get_level_display(),
            "deadline": timezone.localtime(i.deadline),
            "card": str(_("red card")) if i.red_card else (str(_("yellow card")) if i.yellow_card else ""),
            "card_key": "red" if i.red_card else ("yellow" if i.yellow_card else ""),
            "url": _incident_url(i.pk),
        }
        for i in rows
    ]


def _incident_url(pk) -> str:
    return _url("incidents:detail", pk) or _url("admin:incidents_incident_change", pk)


def open_incident_points(*, user, root: Area, now, limit: int = MAP_INCIDENT_LIMIT) -> tuple[list, list]:
    """Open incidents with a place (map dots, most urgent first) and the open count per grid (shading)."""
    from incidents.choices import OPEN_STATUSES

    open_qs = (
        _incident_selectors().incident_scope(user=user, area=root).filter(status__in=sorted(OPEN_STATUSES))
    )
    points = [
        {
            "id": row["id"],
            "code": row["code"],
            "lat": row["latitude"],
            "lng": row["longitude"],
            "category": row["category__name"],
            "overdue": row["deadline"] is not None and row["deadline"] < now,
        }
        for row in open_qs.filter(latitude__isnull=False)
        .values("id", "code", "latitude", "longitude", "category__name", "deadline")
        .order_by("deadline")[:limit]
    ]
    counts = [
        {"id": r["grid_id"], "open": r["n"]}
        for r in open_qs.values("grid_id").annotate(n=Count("pk")).order_by("grid_id")
    ]
    return points, counts


# ---------------------------------------------------------------- workers, registry, forces


def worker_section(*, user, town: Area, period: Period, today: dt.date) -> dict | None:
    """Each active worker's weekly workload against the cap and their duty logs in the period."""
    worker_models = import_optional("workers.models")
    worker_selectors = import_optional("workers.selectors")
    if not hasattr(worker_models, "Worker") or not hasattr(worker_selectors, "workloads"):
        return None
    Worker, DutyLog = worker_models.Worker, worker_models.DutyLog
    workers = Worker.objects.visible_to(user).filter(subtree_filter(town, "grid")).active().order_by()
    logs = dict(
        DutyLog.objects.filter(
            worker__in=workers.values("pk"), occurred_at__gte=period.start, occurred_at__lt=period.end
        )
        .order_by()
        .values("worker_id")
        .annotate(n=Count("pk"))
        .values_list("worker_id", "n")
    )
    loads = worker_selectors.workloads(workers=workers, week_start=today)
    rows = [
        {
            "id": load.worker.pk,
            "name": load.worker.name,
            "grid": str(load.worker.grid) if load.worker.grid_id else "",
            "minutes": load.minutes,
            "cap": load.cap,
            "overloaded": load.over_cap,
            "duty_logs": logs.get(load.worker.pk, 0),
        }
        for load in loads
    ]
    rows.sort(key=lambda r: (not r["overloaded"], -r["minutes"], r["grid"]))
    # Duty logs per role in the town (zeros included), as `duty_log_counts_by_role` counts them. The period
    # and town go in WHERE, not in a COUNT FILTER over a join from the roles: that form read every duty log
    # of every year (69 ms of a 394 ms page with two years of logs); this one uses the (grid, time) index.
    in_town = worker_models.DutyLog.objects.filter(
        subtree_filter(town, "grid"), occurred_at__gte=period.start, occurred_at__lt=period.end
    )
    counts = dict(in_town.order_by().values("role_id").annotate(n=Count("id")).values_list("role_id", "n"))
    roles = list(worker_models.ServiceRole.objects.order_by("order"))
    for role in roles:
        role.n = counts.get(role.pk, 0)
    chart = {
        "type": "bar",
        "x": [],
        "series": [{"name": str(_("duty logs")), "data": []}],
    }
    for role in roles:
        chart["x"].append(role.name)
        chart["series"][0]["data"].append(role.n)
    return {"rows": rows, "by_role_chart": chart}


def visits_section(*, user, town: Area, period: Period, today: dt.date) -> dict | None:
    """Special- and care-group visits due and overdue today, and done in the period (registry figures)."""
    registry = import_optional("registry.selectors")
    if not hasattr(registry, "visit_summary"):
        return None
    counts = registry.visit_summary(user=user, area=town, on=min(today, period.last), since=period.first)
    return {
        "due": counts["due"],
        "overdue": counts["overdue"],
        "done": counts["done"],
        "members": counts["members"],
    }


def forces_section(*, user, town: Area) -> list | None:
    """Active members of each of the four forces in the area (forces' own counts)."""
    forces = import_optional("forces.selectors")
    if not hasattr(forces, "forces_by_kind"):
        return None
    from forces.choices import ForceKind

    counts = forces.forces_by_kind(user=user, area=town)
    return [{"kind": k.value, "label": str(k.label), "count": counts.get(k.value, 0)} for k in ForceKind]


def emergencies_section(*, user, town: Area) -> list:
    """Open emergencies (not drills) covering any part of the area, for the banner: always live."""
    forces = import_optional("forces.selectors")
    if not hasattr(forces, "open_activations"):
        return []
    return [
        {
            "id": act.pk,
            "name": act.title,
            "level": act.get_level_display(),
            "area": str(act.area),
            "started": timezone.localtime(act.opened_at) if act.opened_at else None,
            "url": _url("forces:activation-detail", act.pk),
        }
        for act in forces.open_activations(user=user, area=town)[:5]
    ]


def forces_and_emergencies(*, user, area: Area) -> tuple[list | None, list]:
    by_kind = _cached(
        "forces", user=user, area=area, period=None, compute=lambda: forces_section(user=user, town=area)
    )
    return by_kind, emergencies_section(user=user, town=area)


# ---------------------------------------------------------------- the pages


def town_dashboard(*, user, town: Area, period: Period, tile_url: str = "", now=None) -> dict:
    """Everything the town sub-centre dashboard shows, for `town` over `period`."""
    now = now or timezone.now()
    data = {
        "area": {"id": town.pk, "name": town.name, "code": town.code},
        "period": {"start": period.first, "end": period.last},
        "map": map_config(root=town, tile_url=tile_url),
    }
    if _incident_selectors() is not None:
        values = town_figures(user=user, town=town, period=period, now=now)
        data["cards"] = incident_cards(town=town, period=period, values=values)
        data["figures"] = {c["key"]: c["value"] for c in data["cards"]}
        data["charts"], data["chart_list"] = incident_charts(user=user, town=town, period=period, now=now)
        data["overdue"] = overdue_list(user=user, town=town, period=period, now=now)
        data["map"]["incidents"], data["map"]["grid_counts"] = open_incident_points(
            user=user, root=town, now=now
        )
        data["map"]["open_label"] = str(_("open"))
    today = timezone.localdate(now)
    workers = _cached(
        "workers",
        user=user,
        area=town,
        period=period,
        compute=lambda: worker_section(user=user, town=town, period=period, today=today),
    )
    if workers is not None:
        data["workload"] = workers["rows"]
        data.setdefault("charts", {})["duty_roles"] = workers["by_role_chart"]
        data.setdefault("chart_list", []).append({"key": "duty_roles", "title": str(_("Duty logs by role"))})
    visits = _cached(
        "visits",
        user=user,
        area=town,
        period=period,
        compute=lambda: visits_section(user=user, town=town, period=period, today=today),
    )
    if visits is not None:
        data["visits"] = visits
    data["forces"], data["emergencies"] = forces_and_emergencies(user=user, area=town)
    return data


RANKING_LIMIT_TODAY = 50


def town_ranking(*, user, towns: list[Area], period: Period, now) -> tuple[list[dict], list[dict]]:
    """Every town's cards side by side, from one query grouped by town (the incident keeps its town)."""
    counters = figures.grouped_counters(period=period, now=now)
    grouped = {
        row["town_id"]: row
        for row in _incident_selectors()
        .incident_scope(user=user)
        .filter(town__in=[t.pk for t in towns])
        .values("town_id")
        .annotate(**counters)
        .order_by()
    }
    empty = dict.fromkeys(counters, 0)
    rows = []
    for town in towns:
        cards = figures.cards_from(figures.values_from_counts(grouped.get(town.pk, empty)))
        rows.append(
            {
                "id": town.pk,
                "name": town.name,
                "code": town.code,
                "figures": {c["key"]: c["value"] for c in cards},
                "cells": [{"key": c["key"], "value": c["value"], "display": c["display"]} for c in cards],
            }
        )
    columns = [{"key": c.key, "label": str(c.label), "format": c.format} for c in figures.CARDS]
    return rows, columns


def escalations_today(*, user, now, limit: int = RANKING_LIMIT_TODAY) -> list[dict]:
    """Today's escalations and red cards across what the user sees, newest first."""
    from incidents.choices import Action, Supervision
    from incidents.models import IncidentEvent, SupervisionRecord

    day_start, day_end = figures.day_bounds(timezone.localdate(now))
    visible = _incident_selectors().incident_scope(user=user)
    events = (
        IncidentEvent.objects.filter(
            incident__in=visible, action=Action.ESCALATE, at__gte=day_start, at__lt=day_end
        )
        .select_related("incident", "incident__town")
        .only("at", "to_level", "incident__id", "incident__code", "incident__town__name")
        .order_by("-at")[:limit]
    )
    cards = (
        SupervisionRecord.objects.filter(
            incident__in=visible, kind=Supervision.RED, created_at__gte=day_start, created_at__lt=day_end
        )
        .select_related("incident", "incident__town")
        .only("created_at", "incident__id", "incident__code", "incident__town__name")
        .order_by("-created_at")[:limit]
    )
    rows = [
        {
            "at": timezone.localtime(e.at),
            "code": e.incident.code,
            "town": e.incident.town.name if e.incident.town_id else "",
            "what": str(_("escalated to %(level)s") % {"level": e.get_to_level_display()}),
            "kind": "escalation",
            "url": _incident_url(e.incident_id),
        }
        for e in events
    ] + [
        {
            "at": timezone.localtime(r.created_at),
            "code": r.incident.code,
            "town": r.incident.town.name if r.incident.town_id else "",
            "what": str(_("red card")),
            "kind": "red_card",
            "url": _incident_url(r.incident_id),
        }
        for r in cards
    ]
    return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]


def district_warnings(*, user, today: dt.date) -> list[dict] | None:
    """Overloaded workers and admission-list items that need the district centre."""
    worker_models = import_optional("workers.models")
    worker_selectors = import_optional("workers.selectors")
    if not hasattr(worker_models, "AdmissionItem") or not hasattr(worker_selectors, "flagged_workers"):
        return None
    from workers.choices import AdmissionStatus

    warnings = []
    for load in worker_selectors.flagged_workers(user=user, week_start=today)[:20]:
        warnings.append(
            {
                "kind": "overloaded",
                "text": str(
                    _(
                        "%(worker)s (%(grid)s) has %(minutes)d minutes of assigned work this week, above the cap of %(cap)d."
                    )
                    % {
                        "worker": load.worker.name,
                        "grid": load.worker.grid,
                        "minutes": load.minutes,
                        "cap": load.cap,
                    }
                ),
                "url": "",
            }
        )
    items = worker_models.AdmissionItem.objects.visible_to(user)
    proposed = items.filter(status=AdmissionStatus.PROPOSED).count()
    if proposed:
        warnings.append(
            {
                "kind": "admission_proposed",
                "text": str(_("%(n)d task admission items are waiting for approval.") % {"n": proposed}),
                "url": _url("admin:workers_admissionitem_changelist", query="status__exact=proposed"),
            }
        )
    expiring = items.filter(
        status=AdmissionStatus.PUBLISHED,
        is_temporary=True,
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=7),
    ).count()
    if expiring:
        warnings.append(
            {
                "kind": "admission_expiring",
                "text": str(
                    _("%(n)d temporary task admission items expire within 7 days.") % {"n": expiring}
                ),
                "url": "",
            }
        )
    return warnings


def district_dashboard(*, user, period: Period, tile_url: str = "", now=None) -> dict:
    """The district centre's dashboard: the towns side by side, the district map, today's escalations and
    red cards, and the task-admission and workload warnings."""
    now = now or timezone.now()
    district = Area.objects.visible_to(user).filter(kind=AreaKind.DISTRICT).first()
    if district is None:
        raise Http404("no district in scope")
    towns = list(dashboard_towns(user=user).only("id", "name", "code", "tree_id", "lft", "rght"))
    data = {
        "area": {"id": district.pk, "name": district.name, "code": district.code},
        "period": {"start": period.first, "end": period.last},
        "map": map_config(root=district, tile_url=tile_url, outline_kinds=TOWN_KINDS),
        "towns": [{"id": t.pk, "name": t.name, "code": t.code} for t in towns],
    }
    if _incident_selectors() is not None:
        data["ranking"], data["ranking_columns"] = town_ranking(
            user=user, towns=towns, period=period, now=now
        )
        by_town = sorted(data["ranking"], key=lambda r: (r["figures"]["reported"], r["code"]))
        data["charts"] = {
            "towns": {
                "type": "bar",
                "horizontal": True,
                "x": [r["name"] for r in by_town],
                "series": [
                    {"name": str(_("reported")), "data": [r["figures"]["reported"] for r in by_town]},
                    {"name": str(_("overdue")), "data": [r["figures"]["overdue"] for r in by_town]},
                ],
            }
        }
        data["chart_list"] = [{"key": "towns", "title": str(_("Reported and overdue by town"))}]
        values = _incident_selectors().incident_figures(
            user=user, area=district, start=period.first, end=period.last, now=now
        )
        data["cards"] = figures.cards_from(values)
        data["figures"] = {c["key"]: c["value"] for c in data["cards"]}
        data["escalations_today"] = escalations_today(user=user, now=now)
        data["map"]["incidents"], data["map"]["grid_counts"] = open_incident_points(
            user=user, root=district, now=now
        )
        data["map"]["open_label"] = str(_("open"))
    data["forces"], data["emergencies"] = forces_and_emergencies(user=user, area=district)
    warnings = _cached(
        "warnings",
        user=user,
        area=district,
        period=None,
        compute=lambda: district_warnings(user=user, today=timezone.localdate(now)),
    )
    if warnings is not None:
        data["warnings"] = warnings
    return data
