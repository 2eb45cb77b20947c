"""The four forces (四方力量) and their sub-types, emergency types and levels (DOMAIN §5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForceKind(models.TextChoices):
    STANDING = "standing", _("standing force")
    EMBEDDED = "embedded", _("embedded force")
    EMERGENCY = "emergency", _("emergency force")
    SOCIAL = "social", _("social force")


class ForceSubtype(models.TextChoices):
    # standing 常备力量
    TOWN_CADRE = "town_cadre", _("town cadre")
    VILLAGE_CADRE = "village_cadre", _("village/community cadre")
    GROUP_LEADER = "group_leader", _("villagers'/residents' group leader")
    GRID_MANAGER = "grid_manager", _("grid manager")
    GRID_WORKER = "grid_worker", _("full/part-time grid worker")
    INFORMANT = "informant", _("grid informant")
    # embedded 下沉力量: staff named by district departments
    COURT = "court", _("court staff")
    POLICE = "police", _("police officer")
    JUSTICE = "justice", _("justice bureau staff")
    HOUSING = "housing", _("housing and construction staff")
    PETITIONS = "petitions", _("petitions bureau staff")
    MARKET = "market", _("market supervision staff")
    ENFORCEMENT = "enforcement", _("administrative enforcement staff")
    # emergency 应急力量
    PARTY_MEMBER = "party_member", _("party member (double report)")
    CADRE = "cadre", _("cadre (double report)")
    DEPARTMENT_STAFF = "department_staff", _("department staff linked to households")
    # social 社会力量
    VOLUNTEER = "volunteer", _("volunteer")
    ENGAGED_RESIDENT = "engaged_resident", _("engaged resident")
    RESPECTED_ELDER = "respected_elder", _("respected elder (five elders and local worthies)")
    ENTERPRISE = "enterprise", _("enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
    INDUSTRY_ASSOCIATION = "industry_association", _("industry association")
    PROPERTY_MANAGEMENT = "property_management", _("property management")
    LOCKSMITH = "locksmith", _("locksmith service")
    CLEANING = "cleaning", _("cleaning service")


SUBTYPES_BY_KIND: dict[str, tuple[str, ...]] = {
    ForceKind.STANDING: (
        ForceSubtype.TOWN_CADRE,
        ForceSubtype.VILLAGE_CADRE,
        ForceSubtype.GROUP_LEADER,
        ForceSubtype.GRID_MANAGER,
        ForceSubtype.GRID_WORKER,
        ForceSubtype.INFORMANT,
    ),
    ForceKind.EMBEDDED: (
        ForceSubtype.COURT,
        ForceSubtype.POLICE,
        ForceSubtype.JUSTICE,
        ForceSubtype.HOUSING,
        ForceSubtype.PETITIONS,
        ForceSubtype.MARKET,
        ForceSubtype.ENFORCEMENT,
    ),
    ForceKind.EMERGENCY: (ForceSubtype.PARTY_MEMBER, ForceSubtype.CADRE, ForceSubtype.DEPARTMENT_STAFF),
    ForceKind.SOCIAL: (
        ForceSubtype.VOLUNTEER,
        ForceSubtype.ENGAGED_RESIDENT,
        ForceSubtype.RESPECTED_ELDER,
        ForceSubtype.ENTERPRISE,
        ForceSubtype.SOCIAL_ORGANISATION,
        ForceSubtype.INDUSTRY_ASSOCIATION,
        ForceSubtype.PROPERTY_MANAGEMENT,
        ForceSubtype.LOCKSMITH,
        ForceSubtype.CLEANING,
    ),
}
KIND_OF_SUBTYPE: dict[str, str] = {sub: kind for kind, subs in SUBTYPES_BY_KIND.items() for sub in subs}

# Sub-types that must name the district department that sent them.
DEPARTMENT_SUBTYPES = frozenset(SUBTYPES_BY_KIND[ForceKind.EMBEDDED]) | {ForceSubtype.DEPARTMENT_STAFF}


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    ACTIVE = "active", _("active")
    REJECTED = "rejected", _("rejected")
    RETIRED = "retired", _("retired")


class EmergencyType(models.TextChoices):
    FLOOD = "flood", _("flood")
    GEOLOGICAL = "geological", _("geological disaster")
    FIRE = "fire", _("fire")
    PUBLIC_HEALTH = "public_health", _("public health")
    PUBLIC_SECURITY = "public_security", _("public security")
    OTHER = "other", _("other")


class EmergencyLevel(models.TextChoices):
    # I is the most severe (特别重大), IV the least (一般).
    I = "I", _("level I (extraordinary)")  # noqa: E741
    II = "II", _("level II (major)")
    III = "III", _("level III (large)")
    IV = "IV", _("level IV (general)")


class ActivationStatus(models.TextChoices):
    OPEN = "open", _("open")
    ENDED = "ended", _("ended")


class TaskKind(models.TextChoices):
    PEOPLE = "people", _("people management")
    PUBLICITY = "publicity", _("publicity")
    OPINION = "opinion", _("opinion gathering")
    PATROL = "patrol", _("patrol")
    SUPPLIES = "supplies", _("supply distribution")
    RESPONSE = "response", _("response")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("to do")
    DONE = "done", _("done")
