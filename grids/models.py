from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet

from . import geometry
from .choices import (
    ALLOWED_PARENTS,
    CODE_LENGTHS,
    CODE_SEGMENT_RANGES,
    GRID_KINDS,
    URBAN_CLASSES,
    VILLAGE_KINDS,
    AreaKind,
    DepartmentGridKind,
    GridType,
    UrbanRuralClass,
)


class AreaQuerySet(ScopedQuerySet):
    def grids(self):
        return self.filter(kind__in=GRID_KINDS)

    def active(self):
        return self.filter(is_active=True)


class AreaManager(TreeManager.from_queryset(AreaQuerySet)):
    pass


def kind_label(kind) -> str:
    return str(AreaKind(kind).label) if kind else gettext("none (root)")


def check_parent_kind(kind: str, parent: "Area | None") -> None:
    allowed = ALLOWED_PARENTS[kind]
    parent_kind = parent.kind if parent is not None else None
    if (parent_kind is None and not allowed) or parent_kind in allowed:
        return
    if not allowed:
        message = gettext("Rule: a %(kind)s is the root of the tree and has no parent.") % {
            "kind": kind_label(kind)
        }
    else:
        message = gettext("Rule: a %(kind)s's parent must be a %(allowed)s, not a %(got)s.") % {
            "kind": kind_label(kind),
            "allowed": gettext(" or ").join(sorted(kind_label(k) for k in allowed)),
            "got": kind_label(parent_kind),
        }
    raise ValidationError({"parent": message}, code="parent_kind")


def check_code(kind: str, code: str, parent: "Area | None") -> None:
    """Codes follow the statistical division scheme: 6 + 3 + 3 digits, then 3 more per grid level."""
    length = CODE_LENGTHS[kind]
    if not (code.isdigit() and len(code) == length):
        raise ValidationError(
            {
                "code": gettext("A %(kind)s's code has %(n)d digits.")
                % {"kind": kind_label(kind), "n": length}
            },
            code="code_format",
        )
    if kind == AreaKind.DISTRICT or parent is None:
        return
    if kind in (AreaKind.SUBDISTRICT, AreaKind.TOWN, AreaKind.TOWNSHIP):
        prefix, segment, tail = code[:6], code[6:9], code[9:]
        expected_prefix = parent.code[:6]
        if tail != "000":
            raise ValidationError({"code": gettext("A town-level code ends in 000.")}, code="code_format")
    elif kind in VILLAGE_KINDS:
        prefix, segment, expected_prefix = code[:9], code[9:12], parent.code[:9]
    else:
        prefix, segment, expected_prefix = code[:-3], code[-3:], parent.code
    if prefix != expected_prefix:
        raise ValidationError(
            {
                "code": gettext("The code must start with the parent's code %(prefix)s.")
                % {"prefix": expected_prefix}
            },
            code="code_prefix",
        )
    low, high = CODE_SEGMENT_RANGES[kind]
    if not low <= int(segment) <= high:
        raise ValidationError(
            {
                "code": gettext("A %(kind)s's own digits must be %(low)03d–%(high)03d, not %(seg)s.")
                % {"kind": kind_label(kind), "low": low, "high": high, "seg": segment}
            },
            code="code_segment",
        )


class Area(MPTTModel, TimeStampedModel):
    """One node of the single area tree: district → town → village → level-1/2/3 grid (DOMAIN §3).

    Never saved directly: `grids.services` is the one write path, under the tree lock.
    """

    scope_field = ""

    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=21, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    urban_rural_class = models.CharField(
        _("urban-rural class"), max_length=3, choices=UrbanRuralClass.choices, blank=True
    )
    grid_type = models.CharField(_("grid type"), max_length=20, choices=GridType.choices, blank=True)
    households = models.PositiveIntegerField(_("household count"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=10, decimal_places=3, null=True, blank=True)
    boundary = models.JSONField(
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude."),
    )
    # Bounding box and centre, kept in step with the boundary, so "which grid contains this point" and
    # the map need no geometry library in SQL.
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    center_lng = models.FloatField(_("centre longitude"), null=True, blank=True, editable=False)
    center_lat = models.FloatField(_("centre latitude"), null=True, blank=True, editable=False)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("grid leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_areas",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(
        _("demo data"),
        default=False,
        help_text=_("Generated name; replace it by importing the real division list."),
    )

    objects = AreaManager()

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["tree_id", "lft"]
        indexes = [
            models.Index(fields=["tree_id", "lft", "rght"], name="area_tree_range"),
            models.Index(fields=["kind", "is_active"], name="area_kind_active"),
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="area_bbox"),
        ]

    def __str__(self):
        return f"{self.name}（{gettext('demo')}）" if self.is_demo else self.name

    @property
    def is_grid(self) -> bool:
        return self.kind in GRID_KINDS

    def clean(self):
        check_parent_kind(self.kind, self.parent)
        if self.code:
            check_code(self.kind, self.code, self.parent)
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or self.parent.is_descendant_of(self):
                raise ValidationError(
                    {
                        "parent": gettext(
                            "Rule: a node cannot be moved under itself or one of its descendants."
                        )
                    },
                    code="cycle",
                )
        if self.kind in GRID_KINDS:
            if not self.grid_type:
                raise ValidationError({"grid_type": gettext("A grid needs a grid type.")}, code="grid_type")
            if (
                self.kind == AreaKind.GRID_L1
                and self.grid_type != GridType.DEDICATED
                and self.parent is not None
            ):
                expected = expected_grid_type(self.parent)
                if self.grid_type != expected:
                    raise ValidationError(
                        {
                            "grid_type": gettext("A level-1 grid under %(parent)s must be a %(expected)s.")
                            % {"parent": self.parent.name, "expected": GridType(expected).label}
                        },
                        code="grid_type",
                    )
        elif self.grid_type:
            raise ValidationError({"grid_type": gettext("Only grids have a grid type.")}, code="grid_type")
        if self.urban_rural_class and self.kind not in VILLAGE_KINDS:
            raise ValidationError(
                {"urban_rural_class": gettext("Only communities and villages carry an urban-rural class.")}
            )
        if self.boundary is not None:
            geometry.validate_geojson(self.boundary)

    def sync_geometry_fields(self) -> None:
        box = geometry.bounds(self.boundary) if self.boundary else None
        if box is None:
            self.min_lng = self.min_lat = self.max_lng = self.max_lat = None
            self.center_lng = self.center_lat = None
        else:
            self.min_lng, self.min_lat, self.max_lng, self.max_lat = box
            self.center_lng, self.center_lat = geometry.representative_point(self.boundary)


def expected_grid_type(village_unit: Area) -> str:
    if village_unit.kind == AreaKind.VILLAGE:
        return GridType.VILLAGE
    if village_unit.urban_rural_class in URBAN_CLASSES:
        return GridType.URBAN_COMMUNITY
    return GridType.RURAL_COMMUNITY


class DepartmentGrid(TimeStampedModel):
    """A department's own grid (fire, environment, court enforcement…), mapped onto unified grids (多网合一)."""

    scope_field = "unified_grids"

    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="grids"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentGridKind.choices)
    code = models.CharField(_("department's code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    unified_grids = models.ManyToManyField(
        Area,
        verbose_name=_("unified grids"),
        related_name="department_grids",
        limit_choices_to={"kind__in": sorted(GRID_KINDS)},
        help_text=_("The unified grids this department grid is mapped onto."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department grid")
        verbose_name_plural = _("department grids")
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="department_grid_code_unique")
        ]

    def __str__(self):
        return f"{self.department} · {self.name}"
