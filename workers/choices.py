from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("Communist Party member")
    NON_MEMBER = "non_member", _("not a party member")


class Education(models.TextChoices):
    JUNIOR_MIDDLE = "junior_middle", _("junior middle school or below")
    SENIOR_VOCATIONAL = "senior_vocational", _("senior middle or vocational school")
    COLLEGE = "college", _("college or above")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("full-time")
    PART_TIME = "part_time", _("part-time")


class WorkerCategory(models.TextChoices):
    URBAN_COMMUNITY = "urban_community", _("urban-community worker")
    RURAL_COMMUNITY = "rural_community", _("rural-community worker")
    VILLAGE = "village", _("village worker")


class CertificateLevel(models.TextChoices):
    NONE = "none", _("no certificate")
    JUNIOR = "junior", _("junior social worker")
    INTERMEDIATE = "intermediate", _("intermediate social worker")
    SENIOR = "senior", _("senior social worker")


CERTIFICATE_RANK = {
    CertificateLevel.NONE: 0,
    CertificateLevel.JUNIOR: 1,
    CertificateLevel.INTERMEDIATE: 2,
    CertificateLevel.SENIOR: 3,
}


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("in post")
    ON_LEAVE = "on_leave", _("on leave")
    LEFT = "left", _("left")


class AgeBand(models.TextChoices):
    UP_TO_30 = "up_to_30", _("20–30")
    FROM_31_TO_40 = "31_40", _("31–40")
    FROM_41 = "41_plus", _("41 and over")


def age_band(age: int) -> str:
    if age <= 30:
        return AgeBand.UP_TO_30
    if age <= 40:
        return AgeBand.FROM_31_TO_40
    return AgeBand.FROM_41


class AdmissionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    PUBLISHED = "published", _("published")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


class Frequency(models.TextChoices):
    DAILY = "daily", _("every working day")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    YEARLY = "yearly", _("yearly")
    ONCE = "once", _("once")


# Occurrences per week for one occurrence per period (5 working days a week, 52 weeks a year).
WEEKLY_FACTOR = {
    Frequency.DAILY: 5,
    Frequency.WEEKLY: 1,
    Frequency.MONTHLY: 12 / 52,
    Frequency.QUARTERLY: 4 / 52,
    Frequency.YEARLY: 1 / 52,
}


class AssignmentLevel(models.TextChoices):
    DISTRICT = "district", _("district")
    TOWN = "town", _("town")
    VILLAGE = "village", _("village or community")
    GRID = "grid", _("grid")


class AssignmentStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class TrainingTopic(models.TextChoices):
    EVENT_REPORTING = "event_reporting", _("event reporting")
    SPECIAL_GROUP_VISITS = "special_group_visits", _("special-group visits")
    IDENTITY_CHECKS = "identity_checks", _("identity checks")
    DISPUTE_RESOLUTION = "dispute_resolution", _("dispute resolution")
    OTHER = "other", _("other")


class TrainingResult(models.TextChoices):
    PENDING = "pending", _("not assessed")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")
    EXCELLENT = "excellent", _("excellent")
