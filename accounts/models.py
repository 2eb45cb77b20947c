from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.pii import BlindIndexField, EncryptedCharField
from core.scoping import ScopedQuerySet


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district administrator")
    DISTRICT_STAFF = "district_staff", _("district centre staff")
    TOWN_STAFF = "town_staff", _("town sub-centre staff")
    VILLAGE_STAFF = "village_staff", _("village staff")
    GRID_WORKER = "grid_worker", _("grid worker")
    DEPARTMENT_LIAISON = "department_liaison", _("department liaison")
    INTEGRATOR = "integrator", _("integrator")


DISTRICT_ROLES = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF}


class Department(TimeStampedModel):
    """A district department (court, police, justice…) that receives incidents and requests tasks."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self):
        return self.name


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in, with one role and one jurisdiction (a node of the area tree)."""

    scope_field = "jurisdiction"

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.GRID_WORKER)
    jurisdiction = models.ForeignKey(
        "grids.Area",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The node of the area tree this user sees and acts on, with everything below it."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = EncryptedCharField(_("phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone")

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def sees_whole_district(self) -> bool:
        return self.role in DISTRICT_ROLES or self.is_superuser

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in roles
