"""Settings of the registry app, read from the environment with defaults."""

import json
import os

from .choices import GroupType

# Days between visits, per group type (editable per membership). Override with REGISTRY_VISIT_INTERVALS,
# a JSON object such as {"community_correction": 7}.
DEFAULT_VISIT_INTERVALS: dict[str, int] = {
    GroupType.RELEASED_PRISONER: 30,
    GroupType.COMMUNITY_CORRECTION: 7,
    GroupType.DRUG_USER: 30,
    GroupType.VAGRANT: 30,
    GroupType.SEVERE_MENTAL_DISORDER: 14,
    GroupType.HARDSHIP: 30,
    GroupType.ELDERLY_ALONE: 7,
    GroupType.SICK_WEAK: 30,
    GroupType.AT_RISK_YOUTH: 30,
}


def visit_intervals() -> dict[str, int]:
    intervals = {str(k): v for k, v in DEFAULT_VISIT_INTERVALS.items()}
    override = os.environ.get("REGISTRY_VISIT_INTERVALS", "")
    if override:
        intervals.update({k: int(v) for k, v in json.loads(override).items() if k in intervals})
    return intervals


def default_visit_interval(group_type: str) -> int:
    return visit_intervals()[str(group_type)]


# A visit shows as due (and the worker is reminded) this many days before its due date.
VISIT_DUE_LEAD_DAYS = int(os.environ.get("REGISTRY_VISIT_DUE_LEAD_DAYS", "3"))
