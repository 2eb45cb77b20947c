"""Incident figures for the dashboards, defined once and used for a town's cards and the district ranking.

Every figure is a conditional count over the incidents reported in the period, so one aggregate query
gives a town's cards and one grouped query gives all 18 towns' rows, whatever the number of incidents.
Rates follow DOMAIN §7: on-time closure = closed on time / due (closed, or past their deadline);
satisfaction = (satisfied + basically satisfied) / evaluated; grid-level share = closed at grid level / closed.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .periods import Period

try:
    from incidents.choices import DONE_STATUSES, OPEN_STATUSES, Level, Satisfaction
except ModuleNotFoundError:  # the incidents app is built in parallel; until it lands there are no figures
    DONE_STATUSES = OPEN_STATUSES = None


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    format: str = "count"  # or "percent"
    tone: str = ""  # "bad" / "warn" / "ok": how the card is marked
    list_key: str = ""  # the set of incidents the card links to (its own key by default)


CARDS = [
    Card("reported", _("reported")),
    Card("open", _("open"), tone="warn"),
    Card("overdue", _("overdue"), tone="bad"),
    Card("due_today", _("due today"), tone="warn"),
    Card("yellow_cards", _("yellow cards"), tone="warn"),
    Card("red_cards", _("red cards"), tone="bad"),
    Card("on_time_rate", _("on-time closure rate"), format="percent", tone="ok", list_key="due"),
    Card("satisfaction_rate", _("satisfaction"), format="percent", tone="ok", list_key="evaluated"),
    Card("grid_level_share", _("resolved at grid level"), format="percent", tone="ok", list_key="closed"),
]
CARD_KEYS = [c.key for c in CARDS]
LIST_LABELS = {
    **{c.key: c.label for c in CARDS},
    "due": _("due (closed, or past their deadline)"),
    "evaluated": _("evaluated by the reporter"),
    "closed": _("closed"),
    "closed_on_time": _("closed on time"),
    "satisfied": _("satisfied or basically satisfied"),
    "closed_at_grid": _("closed at grid level"),
    "escalated": _("escalated"),
}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def sets(*, now: dt.datetime) -> dict[str, Q]:
    """Each named set of incidents (within those reported in the period) as a filter.

    The cards count these sets and the list behind a card shows the same set, so they always agree.
    """
    today_start, today_end = day_bounds(timezone.localdate(now))
    open_q = Q(status__in=sorted(OPEN_STATUSES))
    done_q = Q(status__in=sorted(DONE_STATUSES))
    return {
        "reported": Q(),
        "open": open_q,
        "overdue": open_q & Q(deadline__lt=now),
        "due_today": open_q & Q(deadline__gte=max(now, today_start), deadline__lt=today_end),
        "yellow_cards": Q(yellow_card=True),
        "red_cards": Q(red_card=True),
        "closed": done_q,
        "closed_on_time": done_q & Q(closed_on_time=True),
        "due": done_q | (open_q & Q(deadline__lt=now)),
        "evaluated": ~Q(satisfaction=""),
        "satisfied": Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
        "closed_at_grid": done_q & Q(handled_at_level=Level.GRID),
        "escalated": Q(escalation_count__gt=0),
    }


def counters(*, now: dt.datetime) -> dict:
    """One conditional count per named set (for `aggregate` or `annotate`)."""
    return {key: Count("pk", filter=q) if q else Count("pk") for key, q in sets(now=now).items()}


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with two decimals (93.72), or None when nothing is due."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def figures_from_counts(counts: dict) -> dict:
    """The card values from the raw counts."""
    return {
        "reported": counts["reported"],
        "open": counts["open"],
        "overdue": counts["overdue"],
        "due_today": counts["due_today"],
        "yellow_cards": counts["yellow_cards"],
        "red_cards": counts["red_cards"],
        "on_time_rate": rate(counts["closed_on_time"], counts["due"]),
        "satisfaction_rate": rate(counts["satisfied"], counts["evaluated"]),
        "grid_level_share": rate(counts["closed_at_grid"], counts["closed"]),
    }


def in_period(queryset, period: Period):
    return queryset.filter(reported_at__gte=period.start, reported_at__lt=period.end)


def display(value, fmt: str) -> str:
    if value is None:
        return "—"
    return f"{value}%" if fmt == "percent" else str(value)
