"""Settings of the incidents app, read from the environment (or Django settings) with defaults."""

import datetime as dt
import os

from django.conf import settings


def _get(name: str, default: str) -> str:
    return str(getattr(settings, name, os.environ.get(name, default)))


def duplicate_radius_m() -> float:
    return float(_get("INCIDENTS_DUPLICATE_RADIUS_M", "50"))


def duplicate_window_hours() -> float:
    return float(_get("INCIDENTS_DUPLICATE_WINDOW_HOURS", "72"))


def warning_fraction() -> float:
    """The share of the time limit after which a yellow warning is raised (DOMAIN §6: 70%)."""
    return float(_get("INCIDENTS_WARNING_FRACTION", "0.7"))


def sweep_seconds() -> float:
    """How often beat runs the deadline sweep (every minute; integration tests shorten it)."""
    return float(_get("INCIDENTS_SWEEP_SECONDS", "60"))


def sweep_batch() -> int:
    return int(_get("INCIDENTS_SWEEP_BATCH", "200"))


def countdown_horizon_seconds() -> int:
    """Deadlines closer than this get their own countdown task instead of waiting for the next sweep."""
    return int(_get("INCIDENTS_COUNTDOWN_HORIZON_SECONDS", "300"))


def sweep_pause_ms() -> int:
    """A pause after each claimed incident: 0 in production; the worker-crash test uses it to kill mid-sweep."""
    return int(_get("INCIDENTS_SWEEP_PAUSE_MS", "0"))


def photo_max_bytes() -> int:
    return int(_get("INCIDENTS_PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))


def photo_max_side() -> int:
    return int(_get("INCIDENTS_PHOTO_MAX_SIDE", "2048"))


def photos_per_report() -> int:
    return int(_get("INCIDENTS_PHOTOS_PER_REPORT", "6"))


def _time(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def working_periods() -> list[tuple[dt.time, dt.time]]:
    """Office hours on a working day, e.g. "09:00-12:00,13:30-17:30" (the default: 7 hours a day)."""
    raw = _get("INCIDENTS_WORKING_PERIODS", "09:00-12:00,13:30-17:30")
    periods = []
    for part in raw.split(","):
        start, end = part.strip().split("-")
        periods.append((_time(start), _time(end)))
    return periods
