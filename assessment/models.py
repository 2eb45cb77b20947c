"""Supervision checks and the year-end assessment (DOMAIN §7).

A `Scheme` (one per year and subject type) lists weighted `Indicator`s, `PeerGroup`s and `GradeBand`s.
Computing a scheme makes an `AssessmentRun` (a numbered result version) holding one `Result` per subject and
one `Score` per indicator, each score keeping the ids of the records that produced it. Versions are never
rewritten: recomputing makes a new version; a frozen version never changes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError
from core.models import TimeStampedModel
from core.scoping import ScopedManager

from .choices import (
    AppealStatus,
    Grade,
    IndicatorSource,
    PeerField,
    RunStatus,
    SchemeStatus,
    SubjectType,
)


class Scheme(TimeStampedModel):
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    subject_type = models.CharField(_("subject type"), max_length=10, choices=SubjectType.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal window (days)"),
        default=7,
        help_text=_("Days after publication during which a subject may appeal."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year", "subject_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "subject_type"],
                condition=~models.Q(status="retired"),
                name="assessment_one_scheme_per_year_and_subject",
            )
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def is_editable(self) -> bool:
        return self.status == SchemeStatus.DRAFT


class SchemePart(models.Model):
    """Indicators, peer groups and grade bands: frozen with their scheme once it is in use."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_editable()
        return super().delete(*args, **kwargs)

    def _check_editable(self):
        if (
            self.scheme_id
            and not Scheme.objects.filter(pk=self.scheme_id, status=SchemeStatus.DRAFT).exists()
        ):
            raise ConflictError(
                _("A scheme in use cannot be edited, only copied."), current_state=SchemeStatus.IN_USE
            )


class Indicator(SchemePart):
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    formula = models.CharField(_("formula"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    score_when_empty = models.DecimalField(
        _("score when nothing is due"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        help_text=_("Score given when the subject had no cases in the period (a rate with nothing due)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_indicator_code")]

    def __str__(self):
        return f"{self.code} {self.name} ({self.weight})"


class PeerGroup(SchemePart):
    """Subjects are ranked only against their peers, e.g. full-time and part-time workers apart."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="peer_groups"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    match_field = models.CharField(
        _("match on"), max_length=20, choices=PeerField.choices, default=PeerField.ANY
    )
    match_value = models.CharField(_("value"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="assessment_peer_group_code")]

    def __str__(self):
        return self.name


class GradeBand(SchemePart):
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="grade_bands"
    )
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    min_score = models.DecimalField(
        _("minimum score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scheme", "-min_score"]
        constraints = [models.UniqueConstraint(fields=["scheme", "grade"], name="assessment_grade_once")]

    def __str__(self):
        return f"{self.get_grade_display()} ≥ {self.min_score}"


class SupervisionCheck(TimeStampedModel):
    """A daily supervision check (日常督导) on a worker, a grid or a town, adding or deducting points."""

    scope_field = "area"

    subject_type = models.CharField(_("subject type"), max_length=10, choices=SubjectType.choices)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("grid or town"),
        on_delete=models.PROTECT,
        related_name="supervision_checks",
        help_text=_("The checked grid or town; for a worker, the worker's grid."),
    )
    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("grid worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_checks",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("date"), db_index=True)
    findings = models.TextField(_("findings"))
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Positive to add, negative to deduct."),
    )
    indicator_code = models.SlugField(
        _("indicator code"),
        max_length=40,
        blank=True,
        help_text=_("Counts only toward this inspector-scored indicator; empty: toward all of them."),
    )
    photo = models.ImageField(_("photo"), upload_to="assessment/checks/%Y/%m/", blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(_("void reason"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("supervision check")
        verbose_name_plural = _("supervision checks")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["subject_type", "checked_on"])]

    def __str__(self):
        return f"{self.checked_on} {self.area} {self.points:+}"


class AssessmentRun(TimeStampedModel):
    """One computed version of a scheme's results, with its progress while it computes."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="runs"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    progress_done = models.PositiveIntegerField(_("steps done"), default=0)
    progress_total = models.PositiveIntegerField(_("steps"), default=0)
    progress_note = models.CharField(_("current step"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    appeal_deadline = models.DateTimeField(_("appeals until"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("frozen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("result version")
        verbose_name_plural = _("result versions")
        ordering = ["scheme", "-version"]
        permissions = [
            ("compute_run", _("Can compute an assessment scheme")),
            ("review_run", _("Can review a result version")),
            ("publish_run", _("Can publish and freeze a result version")),
        ]
        constraints = [models.UniqueConstraint(fields=["scheme", "version"], name="assessment_run_version")]

    def __str__(self):
        return f"{self.scheme} v{self.version}"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_computing(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class Result(models.Model):
    """One subject's total, rank within its peer group and grade in one version."""

    scope_field = "area"

    run = models.ForeignKey(
        AssessmentRun, verbose_name=_("result version"), on_delete=models.CASCADE, related_name="results"
    )
    subject_type = models.CharField(_("subject type"), max_length=10, choices=SubjectType.choices)
    subject_id = models.BigIntegerField(_("subject id"))
    subject_code = models.CharField(_("code"), max_length=40, blank=True)
    subject_name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("grid or town"),
        on_delete=models.PROTECT,
        related_name="assessment_results",
    )
    town = models.ForeignKey(
        "grids.Area", verbose_name=_("town"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessment_results",
        help_text=_("The worker's own account, who may see this result and appeal."),
    )
    peer_group = models.CharField(_("peer group"), max_length=100, blank=True)
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    group_size = models.PositiveIntegerField(_("group size"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["run", "peer_group", "rank", "subject_code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "subject_id"], name="assessment_result_once_per_version")
        ]

    def __str__(self):
        return f"{self.subject_name} {self.total}"


class Score(models.Model):
    """One indicator of one result, with the records behind it (drill-down)."""

    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="scores"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("numerator"), max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    normalised = models.DecimalField(_("normalised score"), max_digits=6, decimal_places=2)
    weighted = models.DecimalField(_("weighted score"), max_digits=7, decimal_places=3)
    record_kind = models.CharField(_("record kind"), max_length=60, blank=True)
    # Lists of ids, JSON rather than a PostgreSQL array so the embedded SQLite default works too.
    record_ids = models.JSONField(_("records"), default=list, blank=True)
    numerator_ids = models.JSONField(_("records counted"), default=list, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["result", "indicator__order", "indicator_id"]
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="assessment_score_once")]

    def __str__(self):
        return f"{self.indicator.code} {self.normalised}"


class Appeal(TimeStampedModel):
    scope_field = "result__area"

    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.PROTECT, related_name="appeals"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("appellant"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
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
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    new_run = models.ForeignKey(
        AssessmentRun,
        verbose_name=_("new version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="from_appeals",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        permissions = [("decide_appeal", _("Can decide an appeal"))]
        constraints = [
            models.UniqueConstraint(
                fields=["result"], condition=models.Q(status="pending"), name="assessment_one_pending_appeal"
            )
        ]

    def __str__(self):
        return f"{self.result} — {self.get_status_display()}"
