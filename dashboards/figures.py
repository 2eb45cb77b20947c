"""The figure cards of the dashboards, on top of `incidents.selectors.incident_figures`.

The numbers come from the incidents app's own figures selector (the one its API and the assessment use),
so a card, the incidents API and the year-end assessment never disagree. Each card links to the list of
the incidents it counts; `card_sets` states those sets with the same definitions as the selector, and a
test checks that every list is exactly as long as its card says.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .periods import Period


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    source: str  # the key in incident_figures()
    format: str = "count"  # or "percent"
    tone: str = ""  # "bad" / "warn" / "ok": how the card is marked
    list_key: str = ""  # the set of incidents the card links to (its own key by default)


CARDS = [
    Card("reported", pgettext_lazy("dashboard card", "reported"), "reported"),
    Card("open", pgettext_lazy("dashboard card", "open now"), "open", tone="warn"),
    Card("overdue", pgettext_lazy("dashboard card", "overdue"), "overdue", tone="bad"),
    Card("due_today", pgettext_lazy("dashboard card", "due today"), "due_today", tone="warn"),
    Card("yellow_cards", pgettext_lazy("dashboard card", "yellow cards"), "yellow_cards", tone="warn"),
    Card("red_cards", pgettext_lazy("dashboard card", "red cards"), "red_cards", tone="bad"),
    Card(
        "on_time_rate",
        pgettext_lazy("dashboard card", "on-time closure rate"),
        "on_time_closure_rate",
        "percent",
        "ok",
        list_key="due",
    ),
    Card(
        "satisfaction_rate",
        pgettext_lazy("dashboard card", "satisfaction"),
        "satisfaction_rate",
        "percent",
        "ok",
        list_key="evaluated",
    ),
    Card(
        "grid_level_share",
        pgettext_lazy("dashboard card", "resolved at grid level"),
        "grid_share",
        "percent",
        "ok",
        list_key="closed",
    ),
]
CARD_KEYS = [c.key for c in CARDS]
LIST_LABELS = {
    **{c.key: c.label for c in CARDS},
    "due": _("due in the period (handling deadline in it)"),
    "evaluated": _("evaluated by the reporter in the period"),
    "closed": _("closed in the period"),
}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def card_sets(*, period: Period, now: dt.datetime) -> dict[str, Q]:
    """The incidents behind each card, as filters (the definitions of `incident_figures`)."""
    from incidents.choices import DONE_STATUSES, OPEN_STATUSES, Status

    lower, upper = period.start, period.end
    today_lower, today_upper = day_bounds(timezone.localdate(now))
    reported = Q(reported_at__gte=lower, reported_at__lt=upper)
    open_now = Q(status__in=sorted(OPEN_STATUSES))
    return {
        "reported": reported,
        "open": open_now,
        "overdue": open_now & Q(deadline__lt=now),
        "due_today": open_now & Q(deadline__gte=today_lower, deadline__lt=today_upper),
        "yellow_cards": reported & Q(yellow_card=True),
        "red_cards": reported & Q(red_card=True),
        "due": Q(handle_deadline__gte=lower, handle_deadline__lt=upper)
        & ~Q(status__in=[Status.REJECTED, Status.MERGED]),
        "evaluated": Q(evaluated_at__gte=lower, evaluated_at__lt=upper, status=Status.EVALUATED),
        "closed": Q(closed_at__gte=lower, closed_at__lt=upper, status__in=sorted(DONE_STATUSES)),
    }


def display(value, fmt: str) -> str:
    if value is None:
        return "—"
    return f"{value}%" if fmt == "percent" else str(value)


def cards_from(values: dict, *, url_for=None) -> list[dict]:
    """The cards as the page and the API show them, from one `incident_figures` result."""
    cards = []
    for card in CARDS:
        value = values[card.source]
        cards.append(
            {
                "key": card.key,
                "label": str(card.label),
                "value": value,
                "display": display(value, card.format),
                "format": card.format,
                "tone": card.tone if (value or card.format == "percent") else "",
                "url": url_for(card.list_key or card.key) if url_for else "",
            }
        )
    return cards


def grouped_counters(*, period: Period, now: dt.datetime) -> dict:
    """The counts behind every card as conditional aggregates, to group by town in one query.

    Same definitions as `incident_figures` (tested town by town in tests/dashboards/test_figures.py).
    """
    from django.db.models import Count

    from incidents.choices import DONE_STATUSES, Level, Satisfaction

    sets = card_sets(period=period, now=now)
    done = Q(status__in=sorted(DONE_STATUSES))
    counters = {key: Count("pk", filter=sets[key]) for key in ("reported", "open", "overdue", "due_today")}
    counters.update(
        yellow_cards=Count("pk", filter=sets["yellow_cards"]),
        red_cards=Count("pk", filter=sets["red_cards"]),
        due=Count("pk", filter=sets["due"]),
        due_closed_on_time=Count("pk", filter=sets["due"] & done & Q(closed_on_time=True)),
        evaluated=Count("pk", filter=sets["evaluated"]),
        satisfied=Count(
            "pk",
            filter=sets["evaluated"] & Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
        ),
        closed=Count("pk", filter=sets["closed"]),
        closed_at_grid=Count("pk", filter=sets["closed"] & Q(handled_at_level=Level.GRID)),
    )
    return counters


def values_from_counts(row: dict) -> dict:
    """The `incident_figures` keys the cards read, from one row of `grouped_counters`."""
    from incidents.selectors import rate

    return {
        "reported": row["reported"],
        "open": row["open"],
        "overdue": row["overdue"],
        "due_today": row["due_today"],
        "yellow_cards": row["yellow_cards"],
        "red_cards": row["red_cards"],
        "on_time_closure_rate": rate(row["due_closed_on_time"], row["due"]),
        "satisfaction_rate": rate(row["satisfied"], row["evaluated"]),
        "grid_share": rate(row["closed_at_grid"], row["closed"]),
    }
