"""Incidents (事件): reference data, the incident with its deadlines, its immutable event log (DOMAIN §6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.pii import BlindIndexField, EncryptedCharField
from core.scoping import ScopedQuerySet

from .choices import (
    OPEN_STATUSES,
    Action,
    ExtensionStatus,
    Level,
    LimitUnit,
    PhotoStage,
    Satisfaction,
    Severity,
    Source,
    Status,
    Supervision,
)


class Category(TimeStampedModel):
    """A coded two-level category (group → kind), editable in the admin."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"parent__isnull": True},
    )
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        help_text=_("Short calendar-time limits (acceptance 30 minutes, handling 24 hours)."),
    )
    direct_to_district = models.BooleanField(
        _("direct to district"), default=False, help_text=_("Skips the grid and town levels at once.")
    )
    district_from_severity = models.CharField(
        _("direct to district from severity"),
        max_length=20,
        choices=Severity.choices,
        blank=True,
        help_text=_(
            "Incidents of this severity or worse go straight to the district (e.g. emergencies of level II)."
        ),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.parent.name}·{self.name}" if self.parent_id and self.parent else self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("Categories have two levels: a group cannot have a parent.")})
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A category cannot be its own group.")})

    @property
    def group(self) -> "Category":
        return self.parent if self.parent_id else self


class TimeLimitPolicy(TimeStampedModel):
    """How long each step may take for a category at a handling level (DOMAIN §6 defaults in the seed)."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="policies"
    )
    level = models.CharField(_("handling level"), max_length=10, choices=Level.choices)
    accept_amount = models.DecimalField(_("acceptance limit"), max_digits=7, decimal_places=2)
    accept_unit = models.CharField(_("acceptance unit"), max_length=20, choices=LimitUnit.choices)
    handle_amount = models.DecimalField(_("handling limit"), max_digits=7, decimal_places=2)
    handle_unit = models.CharField(_("handling unit of time"), max_length=20, choices=LimitUnit.choices)
    verify_amount = models.DecimalField(_("verification limit"), max_digits=7, decimal_places=2)
    verify_unit = models.CharField(_("verification unit"), max_length=20, choices=LimitUnit.choices)

    class Meta:
        verbose_name = _("time-limit policy")
        verbose_name_plural = _("time-limit policies")
        ordering = ["category__code", "level"]
        constraints = [models.UniqueConstraint(fields=["category", "level"], name="policy_category_level")]

    def __str__(self):
        return f"{self.category} · {self.get_level_display()}"

    def clean(self):
        for field in ("accept_amount", "handle_amount", "verify_amount"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                raise ValidationError({field: _("A time limit must be more than zero.")})


class WorkCalendarOverride(TimeStampedModel):
    """A day the admin declares working or not, over what the official calendar says."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working calendar override")
        verbose_name_plural = _("working calendar overrides")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'✓' if self.is_working_day else '✗'}"


class IncidentQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The user's subtree; a department liaison sees what was dispatched to the department instead."""
        from accounts.models import Role

        if (
            user is not None
            and user.is_authenticated
            and user.is_active
            and not user.is_superuser
            and getattr(user, "role", None) == Role.DEPARTMENT_LIAISON
        ):
            if not user.department_id:
                return self.none()
            dispatched = IncidentEvent.objects.filter(
                incident=OuterRef("pk"), department_id=user.department_id
            )
            return self.filter(Q(handling_department_id=user.department_id) | Exists(dispatched))
        return super().visible_to(user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Incident(TimeStampedModel):
    """One reported incident, its place, reporter, handling level and unit, and deadlines.

    The deadlines are the single source of truth for escalation: `due_at` is when the sweep must act
    next (escalate, or red card at district level), `warn_at` when the yellow warning is due; both are
    cleared once acted on, and both carry partial indexes over open rows.
    """

    scope_field = "grid"

    code = models.CharField(_("code"), max_length=20, unique=True)
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    severity = models.CharField(
        _("severity"), max_length=20, choices=Severity.choices, default=Severity.GENERAL
    )
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="incidents"
    )
    # The grid's village and town, kept with the incident so figures group by them without tree walks.
    village = models.ForeignKey(
        "grids.Area",
        verbose_name=_("village/community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    town = models.ForeignKey(
        "grids.Area",
        verbose_name=_("town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    level = models.CharField(_("handling level"), max_length=10, choices=Level.choices, default=Level.GRID)
    handling_area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("handling grid/town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_incidents",
    )
    handling_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )

    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by (user)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_incidents",
    )
    reporter_name = EncryptedCharField(_("reporter's name"))
    reporter_phone = EncryptedCharField(_("reporter's phone"), kind="phone")
    reporter_phone_hash = BlindIndexField(source="reporter_phone")

    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    accept_deadline = models.DateTimeField(_("acceptance deadline"), null=True, blank=True)
    handle_deadline = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    verify_deadline = models.DateTimeField(_("verification deadline"), null=True, blank=True)
    # The deadline of the current step (for lists and "overdue"), and what the sweep acts on next.
    deadline = models.DateTimeField(_("current deadline"), null=True, blank=True)
    stage_started_at = models.DateTimeField(_("current step started at"), null=True, blank=True)
    due_at = models.DateTimeField(_("escalation due at"), null=True, blank=True, editable=False)
    warn_at = models.DateTimeField(_("warning due at"), null=True, blank=True, editable=False)
    warned_at = models.DateTimeField(_("yellow warning raised at"), null=True, blank=True)

    was_overdue = models.BooleanField(_("was overdue"), default=False)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    handled_at_level = models.CharField(
        _("handled at level"), max_length=10, choices=Level.choices, blank=True
    )
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    yellow_card = models.BooleanField(_("yellow card"), default=False)
    red_card = models.BooleanField(_("red card"), default=False)
    escalation_count = models.PositiveSmallIntegerField(_("escalations"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    result = models.TextField(_("handling result"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Generated by the seed."))

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="incident_due_open",
                condition=Q(due_at__isnull=False, status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["warn_at"],
                name="incident_warn_open",
                condition=Q(warn_at__isnull=False, status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(
                fields=["deadline"],
                name="incident_deadline_open",
                condition=Q(status__in=sorted(OPEN_STATUSES)),
            ),
            models.Index(fields=["grid", "reported_at"], name="incident_grid_reported"),
            models.Index(fields=["town", "reported_at"], name="incident_town_reported"),
            models.Index(fields=["handle_deadline"], name="incident_handle_deadline"),
            models.Index(fields=["category", "reported_at"], name="incident_category_reported"),
        ]
        permissions = [
            ("dispatch_incident", _("Can accept, dispatch, verify and close incidents")),
            ("handle_incident", _("Can work on incidents dispatched to their unit")),
            ("supervise_incident", _("Can supervise incidents (yellow and red cards)")),
            ("evaluate_incident", _("Can record the reporter's satisfaction")),
        ]

    def __str__(self):
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def handling_unit(self):
        return self.handling_department or self.handling_area


class IncidentEvent(models.Model):
    """One step of an incident's history: who, when, from which status to which, and why. Never changed."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    from_level = models.CharField(_("from level"), max_length=10, choices=Level.choices, blank=True)
    to_level = models.CharField(_("to level"), max_length=10, choices=Level.choices, blank=True)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("to grid/town"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("to department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "incident__grid"

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_event_at")]

    def __str__(self):
        return f"{self.incident_id} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Incident events are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Incident events are never deleted."))


def photo_path(instance, filename):
    return f"incidents/{instance.incident.reported_at:%Y/%m}/{filename}"


class IncidentPhoto(models.Model):
    """A photo, re-encoded on upload (type sniffed, size limited, EXIF and GPS stripped)."""

    scope_field = "incident__grid"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices, default=PhotoStage.REPORT)
    image = models.ImageField(_("photo"), upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.image.name}"


class ExtensionRequest(TimeStampedModel):
    """A handling unit asks for more time; the dispatcher approves or refuses."""

    scope_field = "incident__grid"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount = models.DecimalField(_("extra time"), max_digits=6, decimal_places=2)
    unit = models.CharField(
        _("unit"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident"],
                condition=Q(status="requested"),
                name="one_pending_extension_per_incident",
            )
        ]

    def __str__(self):
        return f"{self.incident} +{self.amount} {self.get_unit_display()}"


class SupervisionRecord(TimeStampedModel):
    """督办: a supervision notice, yellow card or red card on an incident, by a person or by the sweep."""

    scope_field = "incident__grid"

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="supervisions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Supervision.choices)
    level = models.CharField(_("at level"), max_length=10, choices=Level.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    automatic = models.BooleanField(_("raised by the deadline sweep"), default=False)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.incident} {self.get_kind_display()}"


class IncidentCodeCounter(models.Model):
    """The last number used for incident codes of one day (SJ20261127-0001…)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("incident code counter")
        verbose_name_plural = _("incident code counters")

    def __str__(self):
        return f"{self.day} {self.last}"
