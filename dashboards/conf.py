"""Settings of the dashboards, from the environment with defaults."""

import os

from django.conf import settings


def section_cache_seconds() -> int:
    """How long the slowly changing sections (workload, forces, visits) are kept; 0 computes them every time.

    Incident figures, charts, the overdue list, the map and the emergency banner are always computed live.
    """
    return int(
        getattr(
            settings,
            "DASHBOARDS_SECTION_CACHE_SECONDS",
            os.environ.get("DASHBOARDS_SECTION_CACHE_SECONDS", "60"),
        )
    )
