"""The four forces, grid leaders, and emergency activations with their mobilisation (DOMAIN §5).

Rows are written only through `forces.services`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.pii import BlindIndexField, EncryptedCharField
from core.scoping import ScopedQuerySet, subtree_filter
from grids.choices import GRID_KINDS

from .choices import (
    ActivationStatus,
    EmergencyLevel,
    EmergencyType,
    ForceKind,
    ForceSubtype,
    MemberStatus,
    TaskKind,
    TaskStatus,
)


class ForceMemberQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=MemberStatus.ACTIVE)

    def attached_within(self, node):
        """Members attached to `node` or anywhere below it, by their main node or an extra one."""
        return self.filter(
            models.Q(pk__in=self.model.objects.filter(subtree_filter(node, "area")).values("pk"))
            | models.Q(pk__in=self.model.objects.filter(subtree_filter(node, "extra_areas")).values("pk"))
        )


class ForceMember(TimeStampedModel):
    """One person or body in one of the four forces, attached to a node of the tree."""

    scope_field = "area"

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("force"), max_length=20, choices=ForceKind.choices, db_index=True)
    subtype = models.CharField(_("sub-type"), max_length=30, choices=ForceSubtype.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="force_members",
    )
    phone = EncryptedCharField(_("contact phone"), kind="phone")
    phone_hash = BlindIndexField(source="phone")
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("attached to"),
        on_delete=models.PROTECT,
        related_name="force_members",
        help_text=_("The node this member belongs to; scoping and coordination follow it."),
    )
    extra_areas = models.ManyToManyField(
        "grids.Area",
        verbose_name=_("also attached to"),
        blank=True,
        related_name="+",
        help_text=_("Further nodes this member serves, e.g. the grids a link cadre covers."),
    )
    households = models.ManyToManyField(
        "registry.Household",
        verbose_name=_("linked households"),
        blank=True,
        related_name="force_members",
        help_text=_("Households this emergency member is linked to (包保联系到户)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="force_memberships",
        help_text=_("Lets the member acknowledge and check in from the phone page."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE, db_index=True
    )
    self_registered = models.BooleanField(_("registered themselves"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    ref = models.CharField(
        _("reference"), max_length=40, blank=True, help_text=_("Stable key for imports and the demo seed.")
    )

    objects = ForceMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("force member")
        verbose_name_plural = _("force members")
        ordering = ["kind", "name", "pk"]
        indexes = [models.Index(fields=["kind", "status"], name="forcemember_kind_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["ref"], condition=~models.Q(ref=""), name="forcemember_ref_unique"
            )
        ]

    def __str__(self):
        return f"{self.name}（{self.get_subtype_display()}）"


class GridLeader(TimeStampedModel):
    """The grid leader (网格长) of a level-1 or level-2 grid: a town cadre, resp. a village cadre."""

    scope_field = "area"

    area = models.OneToOneField(
        "grids.Area",
        verbose_name=_("grid"),
        on_delete=models.CASCADE,
        related_name="force_leader",
        limit_choices_to={"kind__in": sorted(GRID_KINDS)},
    )
    member = models.ForeignKey(
        ForceMember, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="led_grids"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid leader")
        verbose_name_plural = _("grid leaders")
        ordering = ["area__tree_id", "area__lft"]

    def __str__(self):
        return f"{self.area.name}：{self.member.name}"


class CoveringQuerySet(ScopedQuerySet):
    """Rows attached to a node that apply to its whole subtree (plans, activations): a user sees those in
    their jurisdiction and those above it that cover it (the district's flood plan, a district-wide flood)."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if getattr(user, "sees_whole_district", False) or user.is_superuser:
            return self
        node = getattr(user, "jurisdiction", None)
        if node is None:
            return self.none()
        return self.overlapping(node)

    def overlapping(self, node):
        """Rows whose subtree contains `node` or lies inside the subtree of `node`."""
        from grids.models import Area

        # Read the node's tree columns in SQL, as subtree_filter does: in-memory ones may be stale.
        bounds = Area.objects.filter(pk=node.pk)
        above = models.Q(
            area__tree_id=models.Subquery(bounds.values("tree_id")[:1]),
            area__lft__lte=models.Subquery(bounds.values("lft")[:1]),
            area__rght__gte=models.Subquery(bounds.values("rght")[:1]),
        )
        return self.filter(above | subtree_filter(node, "area"))


class EmergencyPlan(TimeStampedModel):
    """A contingency plan (预案) an activation follows."""

    scope_field = "area"

    name = models.CharField(_("name"), max_length=200)
    emergency_type = models.CharField(_("emergency type"), max_length=20, choices=EmergencyType.choices)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name=_("issued for"),
        on_delete=models.PROTECT,
        related_name="emergency_plans",
        help_text=_("The node whose plan this is (district or town)."),
    )
    summary = models.TextField(_("summary"), blank=True)
    is_active = models.BooleanField(_("in force"), default=True)

    objects = CoveringQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency plan")
        verbose_name_plural = _("emergency plans")
        ordering = ["emergency_type", "name"]

    def __str__(self):
        return self.name


class PlanAttachment(TimeStampedModel):
    scope_field = "plan__area"

    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), upload_to="forces/plans/%Y/%m/")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")

    def __str__(self):
        return self.title or self.file.name


class ActivationQuerySet(CoveringQuerySet):
    def open(self):
        return self.filter(status=ActivationStatus.OPEN)

    def emergencies(self):
        return self.filter(is_drill=False)

    def drills(self):
        return self.filter(is_drill=True)


class Activation(TimeStampedModel):
    """Emergency mode (平急转换) for a subtree, or a drill (演练) running the same flow."""

    scope_field = "area"

    title = models.CharField(_("title"), max_length=200)
    emergency_type = models.CharField(_("emergency type"), max_length=20, choices=EmergencyType.choices)
    level = models.CharField(_("level"), max_length=3, choices=EmergencyLevel.choices)
    is_drill = models.BooleanField(_("drill"), default=False)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("subtree"), on_delete=models.PROTECT, related_name="activations"
    )
    plan = models.ForeignKey(
        EmergencyPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activations",
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivationStatus.choices,
        default=ActivationStatus.OPEN,
        db_index=True,
    )
    remind_after_minutes = models.PositiveIntegerField(
        _("remind after (minutes)"), help_text=_("Members who have not acknowledged by then are reminded.")
    )
    leader_after_minutes = models.PositiveIntegerField(
        _("tell the leader after (minutes)"),
        help_text=_("Members still silent by then are reported to their grid leader."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("activated at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    figures = models.JSONField(_("after-action figures"), default=dict, blank=True)

    objects = ActivationQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency activation")
        verbose_name_plural = _("emergency activations")
        ordering = ["-opened_at"]

    def __str__(self):
        prefix = f"[{_('drill')}] " if self.is_drill else ""
        return f"{prefix}{self.title}"


class Mobilisation(models.Model):
    """One emergency member called up by one activation: notified, acknowledged, checked in.

    Rows are created with the activation; the call-up is sent after commit (and by the sweep, should the
    broker have been down). `remind_due_at` and `leader_due_at` are the deadlines; the sweep claims them with a compare-and-set.
    """

    scope_field = "member__area"

    activation = models.ForeignKey(
        Activation, verbose_name=_("activation"), on_delete=models.CASCADE, related_name="mobilisations"
    )
    member = models.ForeignKey(
        ForceMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="mobilisations"
    )
    token = models.CharField(_("access key"), max_length=43, unique=True, default=secrets.token_urlsafe)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_note = models.CharField(_("check-in note"), max_length=200, blank=True)
    check_in_lng = models.FloatField(_("check-in longitude"), null=True, blank=True)
    check_in_lat = models.FloatField(_("check-in latitude"), null=True, blank=True)
    remind_due_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    leader_due_at = models.DateTimeField(_("leader alert due"), null=True, blank=True)
    leader_told_at = models.DateTimeField(_("leader told at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobilisation")
        verbose_name_plural = _("mobilisations")
        ordering = ["activation", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "member"], name="mobilisation_once_per_member")
        ]
        indexes = [
            models.Index(
                fields=["activation"], name="mobilisation_to_notify", condition=models.Q(notified_at=None)
            ),
            models.Index(
                fields=["remind_due_at"],
                name="mobilisation_remind_due",
                condition=models.Q(acknowledged_at__isnull=True, reminded_at__isnull=True),
            ),
            models.Index(
                fields=["leader_due_at"],
                name="mobilisation_leader_due",
                condition=models.Q(acknowledged_at__isnull=True, leader_told_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.activation} · {self.member.name}"


class DutyShift(TimeStampedModel):
    """A shift of the duty roster (轮班值守) during an activation."""

    scope_field = "member__area"

    activation = models.ForeignKey(
        Activation, verbose_name=_("activation"), on_delete=models.CASCADE, related_name="shifts"
    )
    member = models.ForeignKey(
        ForceMember, verbose_name=_("member"), on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    post = models.CharField(_("post"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["starts_at", "member__name"]

    def __str__(self):
        return f"{self.member.name} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class ActivationTask(TimeStampedModel):
    """A task given to a member during an activation, marked done when done."""

    scope_field = "area"

    activation = models.ForeignKey(
        Activation, verbose_name=_("activation"), on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(_("title"), max_length=200)
    area = models.ForeignKey(
        "grids.Area", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        ForceMember, verbose_name=_("assigned to"), on_delete=models.PROTECT, related_name="tasks"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("result"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency task")
        verbose_name_plural = _("emergency tasks")
        ordering = ["status", "created_at"]

    def __str__(self):
        return self.title
