from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectType(models.TextChoices):
    WORKER = "worker", _("grid worker")
    GRID = "grid", _("grid")
    TOWN = "town", _("town")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_USE = "in_use", _("in use")
    RETIRED = "retired", _("retired")


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("computed from the records")
    INSPECTED = "inspected", _("scored by inspectors")


class PeerField(models.TextChoices):
    ANY = "any", _("everyone")
    EMPLOYMENT = "employment", _("employment (full-time / part-time)")
    CATEGORY = "category", _("worker category")
    GRID_TYPE = "grid_type", _("grid type")
    AREA_KIND = "area_kind", _("area kind")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    COMPETENT = "competent", _("competent")
    BASIC = "basic", _("basically competent")
    INCOMPETENT = "incompetent", _("incompetent")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("computing")
    FAILED = "failed", _("failed")
    DRAFT = "draft", _("draft")
    REVIEWED = "reviewed", _("reviewed")
    PUBLISHED = "published", _("published")
    SUPERSEDED = "superseded", _("superseded")
    FROZEN = "frozen", _("frozen")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")
