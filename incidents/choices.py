from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    REPORTED = "reported", _("reported")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged as a duplicate")
    DISPATCHED = "dispatched", _("dispatched")
    IN_PROGRESS = "in_progress", _("in progress")
    HANDLED = "handled", _("handled")
    VERIFIED = "verified", _("verified")
    REWORK = "rework", _("sent back for rework")
    CLOSED = "closed", _("closed")
    EVALUATED = "evaluated", _("evaluated")


# Statuses in which the incident is still being worked on (deadlines run, the sweep looks at it).
OPEN_STATUSES = frozenset(
    {
        Status.REPORTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.HANDLED,
        Status.VERIFIED,
        Status.REWORK,
    }
)
DONE_STATUSES = frozenset({Status.CLOSED, Status.EVALUATED})
# Statuses in which the handling deadline is the one that matters.
HANDLING_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REWORK})


class Level(models.TextChoices):
    GRID = "grid", _("grid level")
    TOWN = "town", _("town level")
    DISTRICT = "district", _("district level")


LEVEL_ORDER = [Level.GRID, Level.TOWN, Level.DISTRICT]


def next_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


class Source(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")
    RESIDENT = "resident", _("resident (public page)")
    FORCE_MEMBER = "force_member", _("force member")
    DEPARTMENT = "department", _("department")
    HOTLINE = "hotline", _("12345 hotline / integrator")


class Severity(models.TextChoices):
    GENERAL = "general", _("general (IV)")
    LARGE = "large", _("large (III)")
    MAJOR = "major", _("major (II)")
    EXTRAORDINARY = "extraordinary", _("extraordinary (I)")


SEVERITY_RANK = {Severity.GENERAL: 1, Severity.LARGE: 2, Severity.MAJOR: 3, Severity.EXTRAORDINARY: 4}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("not satisfied")


class LimitUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes (calendar time)")
    HOURS = "hours", _("hours (calendar time)")
    DAYS = "days", _("days (calendar time)")
    WORKING_HOURS = "working_hours", _("working hours")
    WORKING_DAYS = "working_days", _("working days")


WORKING_UNITS = frozenset({LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS})


class Supervision(models.TextChoices):
    NORMAL = "normal", _("supervision notice")
    YELLOW = "yellow", _("yellow card")
    RED = "red", _("red card")


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class Action(models.TextChoices):
    REPORT = "report", _("reported")
    ACCEPT = "accept", _("accepted")
    REJECT = "reject", _("rejected")
    MERGE = "merge", _("merged as a duplicate")
    DISPATCH = "dispatch", _("dispatched")
    START = "start", _("started")
    HANDLE = "handle", _("handled")
    VERIFY = "verify", _("verified")
    REWORK = "rework", _("sent back for rework")
    CLOSE = "close", _("closed")
    EVALUATE = "evaluate", _("evaluated")
    RETURN = "return", _("returned to the dispatcher")
    ESCALATE = "escalate", _("escalated")
    ASSIGN_DOWN = "assign_down", _("assigned down")
    EXTENSION_REQUEST = "extension_request", _("extension requested")
    EXTENSION_APPROVE = "extension_approve", _("extension approved")
    EXTENSION_REFUSE = "extension_refuse", _("extension refused")
    SUPERVISE = "supervise", _("supervised")
    WARN = "warn", _("yellow warning (70 percent of the time used)")
    OVERDUE = "overdue", _("overdue")


class PhotoStage(models.TextChoices):
    REPORT = "report", _("when reported")
    HANDLE = "handle", _("when handled")
