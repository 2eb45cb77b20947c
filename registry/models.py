"""Base information (DOMAIN §8): people, places and organisations, each placed in a grid."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.pii import (
    BlindIndexField,
    EncryptedCharField,
    id_number_birth_date,
    keyed_hash,
    normalise,
    validate_id_matches_birth_date,
    validate_id_number,
    validate_phone,
)
from core.scoping import ScopedQuerySet
from grids.choices import GRID_KINDS

from . import conf
from .choices import (
    BuildingKind,
    Gender,
    GroupCategory,
    GroupType,
    OrganisationKind,
    Relation,
    ResidenceType,
    ResidentStatus,
    VisitMethod,
    VisitStatus,
)

GRID_LIMIT = {"kind__in": sorted(GRID_KINDS)}


def check_is_grid(area) -> None:
    if area is not None and area.kind not in GRID_KINDS:
        raise ValidationError(
            {
                "grid": _g("Base information is placed in a grid, not in a %(kind)s.")
                % {"kind": area.get_kind_display()}
            },
            code="not_a_grid",
        )


class GridPlacedModel(TimeStampedModel):
    """Every record of the registry sits in one grid and is seen by whoever's jurisdiction covers it."""

    scope_field = "grid"

    grid = models.ForeignKey(
        "grids.Area",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=GRID_LIMIT,
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        if self.grid_id:
            check_is_grid(self.grid)


class Household(GridPlacedModel):
    """A household (户): its address, its members and one head among them."""

    number = models.CharField(
        _("household number"),
        max_length=40,
        blank=True,
        help_text=_("户号 from the household register, if any."),
    )
    address = models.CharField(_("address"), max_length=200)
    residence_type = models.CharField(
        _("population type"), max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    head = models.ForeignKey(
        "Resident",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_households",
    )
    house = models.ForeignKey(
        "House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["grid_id", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "number"],
                condition=~models.Q(number=""),
                name="household_number_unique_in_grid",
                violation_error_message=_("This grid already has a household with this number."),
            )
        ]

    def __str__(self):
        return self.number or self.address

    def clean(self):
        super().clean()
        if self.head_id and self.pk and self.head.household_id != self.pk:
            raise ValidationError(
                {"head": _g("The head of household must be one of its members.")}, code="head"
            )


class Resident(GridPlacedModel):
    """A person living in a grid, registered (户籍) or floating (流动); unique by ID number."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True, default="汉族")
    id_number = EncryptedCharField(_("ID number"), kind="id")
    id_number_hash = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    residence_type = models.CharField(
        _("population type"), max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation_to_head = models.CharField(
        _("relation to the head"), max_length=20, choices=Relation.choices, blank=True
    )
    address = models.CharField(_("current address"), max_length=200, blank=True)
    registered_address = models.CharField(
        _("registered address"),
        max_length=200,
        blank=True,
        help_text=_("户籍地址 (for floating population)."),
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResidentStatus.choices,
        default=ResidentStatus.ACTIVE,
        db_index=True,
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["grid_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="resident_unique_id_number",
                violation_error_message=_("A resident with this ID number is already registered."),
            )
        ]
        indexes = [models.Index(fields=["grid", "status"], name="resident_grid_status")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.id_number = normalise(self.id_number)
        self.phone = normalise(self.phone)
        if not self.id_number:
            raise ValidationError({"id_number": _g("An ID number is required.")}, code="required")
        try:
            validate_id_number(self.id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        if self.birth_date:
            try:
                validate_id_matches_birth_date(self.id_number, self.birth_date)
            except ValidationError as exc:
                raise ValidationError({"birth_date": exc.messages}) from exc
        else:
            self.birth_date = id_number_birth_date(self.id_number)
        if not self.gender:
            # The 17th digit of an ID number is odd for men and even for women (GB 11643).
            self.gender = Gender.MALE if int(self.id_number[16]) % 2 else Gender.FEMALE
        try:
            validate_phone(self.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        if self.household_id and self.grid_id and self.household.grid_id != self.grid_id:
            raise ValidationError(
                {"household": _g("A household member lives in the household's grid.")}, code="household_grid"
            )
        # The blind indexes are filled here too, so full_clean's constraint check sees the duplicate.
        self.id_number_hash = keyed_hash(self.id_number)
        self.phone_hash = keyed_hash(self.phone)

    @property
    def is_active(self) -> bool:
        return self.status == ResidentStatus.ACTIVE


class Building(GridPlacedModel):
    """A building (楼栋) or a rural dwelling, with its houses."""

    name = models.CharField(_("name or number"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL
    )
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["grid_id", "name", "id"]

    def __str__(self):
        return self.name


class House(GridPlacedModel):
    """A dwelling (房屋); rented housing (出租屋) is flagged and lists its tenants."""

    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="houses",
    )
    number = models.CharField(_("room or house number"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200)
    owner = models.ForeignKey(
        Resident,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_houses",
    )
    owner_name = models.CharField(_("owner (if not a resident here)"), max_length=100, blank=True)
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    is_rented = models.BooleanField(_("rented housing"), default=False, db_index=True)
    tenants = models.ManyToManyField(
        Resident, verbose_name=_("tenants"), blank=True, related_name="rented_houses"
    )

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["grid_id", "address", "number", "id"]

    def __str__(self):
        return f"{self.address} {self.number}".strip()

    def clean(self):
        super().clean()
        if self.building_id and self.grid_id and self.building.grid_id != self.grid_id:
            raise ValidationError({"building": _g("The building is in another grid.")}, code="building_grid")


class Organisation(GridPlacedModel):
    """An enterprise, social organisation, school or other organisation in a grid."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("统一社会信用代码, 18 characters."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), kind="phone")
    contact_phone_hash = BlindIndexField(source="contact_phone")
    employees = models.PositiveIntegerField(_("employees or pupils"), null=True, blank=True)
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["grid_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="organisation_unique_credit_code",
                violation_error_message=_("An organisation with this credit code is already registered."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.credit_code = normalise(self.credit_code)
        if self.credit_code and len(self.credit_code) != 18:
            raise ValidationError(
                {"credit_code": _g("A unified social credit code has 18 characters.")}, code="credit_code"
            )
        self.contact_phone = normalise(self.contact_phone)
        try:
            validate_phone(self.contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from exc
        self.contact_phone_hash = keyed_hash(self.contact_phone)


class GroupMembership(TimeStampedModel):
    """A resident's membership of a special group or a care group, with the visits it calls for.

    `next_visit_due` is the deadline stored as data: the reminder sweep reads it through a partial index, and
    `due_reminded_for` / `overdue_reported_for` hold the due date already reminded, so each visit is
    reminded once (the sweep claims a membership with a compare-and-set update).
    """

    scope_field = "resident__grid"

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="group_memberships"
    )
    group_type = models.CharField(_("group"), max_length=30, choices=GroupType.choices)
    category = models.CharField(_("category"), max_length=10, choices=GroupCategory.choices, editable=False)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    responsible = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("responsible worker"),
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), help_text=_("Defaults to the group's usual frequency; editable.")
    )
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, editable=False)
    due_reminded_for = models.DateField(null=True, blank=True, editable=False)
    overdue_reported_for = models.DateField(null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("special and care group memberships")
        ordering = ["next_visit_due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "group_type"],
                condition=models.Q(end_date__isnull=True),
                name="membership_one_open_per_group",
                violation_error_message=_("This resident is already a current member of this group."),
            ),
            models.CheckConstraint(
                condition=models.Q(visit_interval_days__gte=1),
                name="membership_interval_positive",
                violation_error_message=_("Visits are at least one day apart."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_visit_due"],
                condition=models.Q(end_date__isnull=True),
                name="membership_open_due",
            )
        ]

    def __str__(self):
        return f"{self.resident} · {self.get_group_type_display()}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def status_on(self, on) -> str:
        if self.end_date is not None or self.next_visit_due is None:
            return VisitStatus.NOT_DUE
        if self.next_visit_due < on:
            return VisitStatus.OVERDUE
        if (self.next_visit_due - on).days <= conf.VISIT_DUE_LEAD_DAYS:
            return VisitStatus.DUE
        return VisitStatus.NOT_DUE

    # Plain names for lists of visits due (dashboards' phone page): the member, the group, the due date.
    @property
    def subject(self) -> str:
        return self.resident.name

    @property
    def group(self) -> str:
        return self.get_group_type_display()

    @property
    def due_on(self):
        return self.next_visit_due

    @property
    def grid(self):
        return self.resident.grid

    @property
    def days_overdue(self) -> int:
        """Days past the due date, as of the `as_of` annotation of `selectors.visits_due` (else today)."""
        from django.utils import timezone

        if self.next_visit_due is None:
            return 0
        as_of = self.__dict__.get("as_of") or timezone.localdate()
        return max(0, (as_of - self.next_visit_due).days)

    @property
    def overdue(self) -> bool:
        """From the `visit_status` annotation of `selectors.visits_due`, else as of today."""
        from django.utils import timezone

        status = self.__dict__.get("visit_status") or self.status_on(timezone.localdate())
        return status == VisitStatus.OVERDUE


class Visit(TimeStampedModel):
    """One visit to a group member, recorded as a duty log of the service role (duty 5 or 8)."""

    scope_field = "membership__resident__grid"

    membership = models.ForeignKey(
        GroupMembership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="visits"
    )
    duty_log = models.OneToOneField(
        "workers.DutyLog", verbose_name=_("duty log"), on_delete=models.PROTECT, related_name="visit"
    )
    worker = models.ForeignKey(
        "workers.Worker", verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    method = models.CharField(_("how"), max_length=20, choices=VisitMethod.choices, default=VisitMethod.HOME)
    due_date = models.DateField(_("was due on"), null=True, blank=True)
    finding = models.TextField(_("what was found"), blank=True)
    needs_follow_up = models.BooleanField(_("needs follow-up"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["membership", "visited_at"], name="visit_membership_time")]

    def __str__(self):
        return f"{self.membership.resident} · {self.visited_at:%Y-%m-%d}"

    @property
    def on_time(self) -> bool:
        from django.utils import timezone

        return self.due_date is None or timezone.localdate(self.visited_at) <= self.due_date
