from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered population")
    FLOATING = "floating", _("floating population")


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("living here")
    MOVED_OUT = "moved_out", _("moved out")
    DECEASED = "deceased", _("deceased")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("brother or sister")
    OTHER = "other", _("other relative or lodger")


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("residential")
    COMMERCIAL = "commercial", _("commercial")
    MIXED = "mixed", _("mixed use")
    RURAL_DWELLING = "rural_dwelling", _("rural dwelling")
    PUBLIC = "public", _("public building")
    OTHER = "other", _("other")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    SOCIAL = "social", _("social organisation")
    SCHOOL = "school", _("school")
    OTHER = "other", _("other")


class GroupCategory(models.TextChoices):
    SPECIAL = "special", _("special group")
    CARE = "care", _("care group")


class GroupType(models.TextChoices):
    """DOMAIN §4 duty 5 (special groups) and duty 8 (care groups)."""

    RELEASED_PRISONER = "released_prisoner", _("released prisoner")
    COMMUNITY_CORRECTION = "community_correction", _("community-corrections subject")
    DRUG_USER = "drug_user", _("drug user")
    VAGRANT = "vagrant", _("vagrant")
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder", _("person with a severe mental disorder")
    HARDSHIP = "hardship", _("person in hardship")
    ELDERLY_ALONE = "elderly_alone", _("elderly person living alone")
    SICK_WEAK = "sick_weak", _("sick or weak person")
    AT_RISK_YOUTH = "at_risk_youth", _("at-risk youth")


SPECIAL_GROUP_TYPES = frozenset(
    {
        GroupType.RELEASED_PRISONER,
        GroupType.COMMUNITY_CORRECTION,
        GroupType.DRUG_USER,
        GroupType.VAGRANT,
        GroupType.SEVERE_MENTAL_DISORDER,
    }
)
CARE_GROUP_TYPES = frozenset(set(GroupType) - SPECIAL_GROUP_TYPES)


def group_category(group_type: str) -> str:
    return GroupCategory.SPECIAL if group_type in SPECIAL_GROUP_TYPES else GroupCategory.CARE


class VisitMethod(models.TextChoices):
    HOME = "home", _("home visit")
    PHONE = "phone", _("phone call")
    VIDEO = "video", _("video call")
    OTHER = "other", _("other")


class VisitStatus(models.TextChoices):
    """Where a membership stands against its next visit (computed, not stored)."""

    NOT_DUE = "not_due", _("not yet due")
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")
