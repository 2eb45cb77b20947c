"""Grid workers (DOMAIN §4): profiles, the five roles and eight duties, duty logs, the task admission list,
assignments with their workload overrides, training and certificates."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.pii import BlindIndexField, EncryptedCharField
from core.scoping import ScopedQuerySet, subtree_filter, user_sees_all

from .choices import (
    WEEKLY_FACTOR,
    AdmissionStatus,
    AssignmentLevel,
    AssignmentStatus,
    CertificateLevel,
    Education,
    Employment,
    Frequency,
    Gender,
    PoliticalStatus,
    TrainingResult,
    TrainingTopic,
    WorkerCategory,
    WorkerStatus,
)


class ServiceRole(models.Model):
    """One of the five roles of a grid worker (五大员). Reference data, seeded by a data migration."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service role")
        verbose_name_plural = _("service roles")
        ordering = ["order"]

    def __str__(self):
        return self.name


class Duty(models.Model):
    """One of the eight duties (report §一(二)), each counted under one role."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    role = models.ForeignKey(
        ServiceRole, verbose_name=_("role"), on_delete=models.PROTECT, related_name="duties"
    )

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class WorkerQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=WorkerStatus.ACTIVE)


class Worker(TimeStampedModel):
    """A grid worker's profile; the sign-in (if any) is `user`, whose jurisdiction is the worker's grid."""

    scope_field = "grid"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="worker",
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    political_status = models.CharField(
        _("political status"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.NON_MEMBER,
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    phone = EncryptedCharField(_("phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    id_number = EncryptedCharField(_("ID number"), kind="id")
    id_number_hash = BlindIndexField(source="id_number")
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices)
    category = models.CharField(_("category"), max_length=20, choices=WorkerCategory.choices)
    grid = models.ForeignKey(
        "grids.Area",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
        help_text=_("The grid the worker holds now; the history is in the grid assignments."),
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    certificate_level = models.CharField(
        _("social-work certificate"),
        max_length=20,
        choices=CertificateLevel.choices,
        default=CertificateLevel.NONE,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["grid__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="worker_id_number_unique",
            )
        ]
        permissions = [
            ("override_workload", _("Can assign work above the weekly workload cap, with a reason")),
            ("import_workers", _("Can import grid workers from Excel")),
        ]

    def __str__(self):
        return self.name

    def age_on(self, day: dt.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(timezone.localdate())

    @property
    def is_full_time(self) -> bool:
        return self.employment == Employment.FULL_TIME


class GridAssignment(models.Model):
    """Who held which grid when: one open row (no end) per worker."""

    scope_field = "grid"

    worker = models.ForeignKey(
        Worker, verbose_name=_("grid worker"), on_delete=models.CASCADE, related_name="grid_assignments"
    )
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="worker_assignments"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        ordering = ["worker", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(end__isnull=True), name="one_open_grid_assignment"
            )
        ]

    def __str__(self):
        return f"{self.worker} · {self.grid} · {self.start}–{self.end or ''}"


class DutyLog(models.Model):
    """One piece of work a worker did (履职记录): workload and assessment are computed from these."""

    scope_field = "grid"

    worker = models.ForeignKey(
        Worker, verbose_name=_("grid worker"), on_delete=models.PROTECT, related_name="duty_logs"
    )
    duty = models.ForeignKey(Duty, verbose_name=_("duty"), on_delete=models.PROTECT, related_name="logs")
    role = models.ForeignKey(
        ServiceRole, verbose_name=_("role"), on_delete=models.PROTECT, related_name="logs"
    )
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="duty_logs"
    )
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duty_logs",
    )
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duty_logs",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty log")
        verbose_name_plural = _("duty logs")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "occurred_at"], name="dutylog_worker_time"),
            models.Index(fields=["grid", "occurred_at"], name="dutylog_grid_time"),
        ]

    def __str__(self):
        return f"{self.worker} · {self.duty.name} · {self.occurred_at:%Y-%m-%d %H:%M}"


class AdmissionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The admission list is district-wide reference data: every signed-in user may read it."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self

    def published(self):
        return self.filter(status=AdmissionStatus.PUBLISHED)


class AdmissionItem(TimeStampedModel):
    """An item of the task admission list (准入清单): the only source of work given to grid workers."""

    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("requesting department"),
        on_delete=models.PROTECT,
        related_name="admission_items",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    role = models.ForeignKey(
        ServiceRole, verbose_name=_("role"), on_delete=models.PROTECT, related_name="admission_items"
    )
    duty = models.ForeignKey(
        Duty, verbose_name=_("duty"), on_delete=models.PROTECT, related_name="admission_items"
    )
    minutes_per_occurrence = models.PositiveIntegerField(_("minutes per occurrence"))
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    occurrences_per_period = models.PositiveSmallIntegerField(_("occurrences per period"), default=1)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_temporary = models.BooleanField(
        _("temporary"), default=False, help_text=_("Emergency items expire by themselves at their end date.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AdmissionStatus.choices, default=AdmissionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)

    objects = AdmissionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("admission list item")
        verbose_name_plural = _("task admission list")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_temporary=False) | models.Q(valid_until__isnull=False),
                name="temporary_item_has_end_date",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="admission_validity_ordered",
            ),
        ]
        indexes = [
            # The expiry sweep reads only published temporary items by end date.
            models.Index(
                fields=["valid_until"],
                condition=models.Q(status="published", is_temporary=True),
                name="admission_expiry_due",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def weekly_minutes(self) -> int:
        """Expected minutes a week for one worker; a one-off item counts fully in the week it starts."""
        per_occurrence = self.minutes_per_occurrence * self.occurrences_per_period
        if self.frequency == Frequency.ONCE:
            return per_occurrence
        return round(per_occurrence * WEEKLY_FACTOR[self.frequency])

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class AdmissionItemEvent(models.Model):
    """Each step of an item's lifecycle, with who did it and why."""

    item = models.ForeignKey(
        AdmissionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=20, choices=AdmissionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("admission item event")
        verbose_name_plural = _("admission item events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item} → {self.get_status_display()}"


class TaskAssignment(models.Model):
    """Work given to one worker from a published admission item, with who gave it, from which level and
    department."""

    scope_field = "grid"

    item = models.ForeignKey(
        AdmissionItem, verbose_name=_("admission item"), on_delete=models.PROTECT, related_name="assignments"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("grid worker"), on_delete=models.PROTECT, related_name="task_assignments"
    )
    grid = models.ForeignKey(
        "grids.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="task_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="task_assignments_given",
    )
    assigned_level = models.CharField(_("assigning level"), max_length=20, choices=AssignmentLevel.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("assigning department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task_assignments",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    weekly_minutes = models.PositiveIntegerField(_("minutes a week"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task assignment")
        verbose_name_plural = _("task assignments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["worker", "start_date", "end_date"], name="assignment_worker_dates")]

    def __str__(self):
        return f"{self.item} → {self.worker}"


class WorkloadOverride(models.Model):
    """An authorised assignment above the weekly cap: who allowed it, why, and the load it made."""

    scope_field = "assignment__grid"

    assignment = models.OneToOneField(
        TaskAssignment, verbose_name=_("task assignment"), on_delete=models.CASCADE, related_name="override"
    )
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("authorised by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    week_start = models.DateField(_("week of"))
    workload_minutes = models.PositiveIntegerField(_("workload with this assignment (minutes)"))
    cap_minutes = models.PositiveIntegerField(_("cap (minutes)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("workload override")
        verbose_name_plural = _("workload overrides")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.assignment} ({self.workload_minutes}/{self.cap_minutes})"


class TrainingSessionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Sessions held in the user's subtree and those organised above it (a district session concerns all)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user_sees_all(user):
            return self
        node = getattr(user, "jurisdiction", None)
        if node is None:
            return self.none()
        above = models.Q(area__tree_id=node.tree_id, area__lft__lte=node.lft, area__rght__gte=node.rght)
        return self.filter(subtree_filter(node, "area") | above | models.Q(area__isnull=True))


class TrainingSession(TimeStampedModel):
    """A training session (业务培训) with its topic and date."""

    scope_field = "area"

    topic = models.CharField(_("topic"), max_length=30, choices=TrainingTopic.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=2)
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("for the area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        help_text=_("The district, a town or a village whose workers the session is for."),
    )

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on"]

    def __str__(self):
        return f"{self.held_on} {self.title}"


class TrainingAttendance(models.Model):
    """One worker invited to one session: whether they attended, and the result."""

    scope_field = "worker__grid"

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("grid worker"), on_delete=models.CASCADE, related_name="training_attendances"
    )
    attended = models.BooleanField(_("attended"), default=False)
    result = models.CharField(
        _("result"), max_length=20, choices=TrainingResult.choices, default=TrainingResult.PENDING
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "worker"], name="one_attendance_per_session")
        ]

    def __str__(self):
        return f"{self.session} · {self.worker}"


class Certificate(models.Model):
    """A social-work certificate a worker holds; the worker's level is the highest one."""

    scope_field = "worker__grid"

    worker = models.ForeignKey(
        Worker, verbose_name=_("grid worker"), on_delete=models.CASCADE, related_name="certificates"
    )
    level = models.CharField(_("level"), max_length=20, choices=CertificateLevel.choices)
    number = models.CharField(_("certificate number"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"))
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on"]

    def __str__(self):
        return f"{self.worker} · {self.get_level_display()}"
