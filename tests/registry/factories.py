"""Registry factories: valid, distinct ID numbers from a sequence."""

import datetime as dt

import factory

from core.pii import make_id_number
from registry.choices import OrganisationKind, ResidenceType
from registry.models import Building, House, Household, Organisation, Resident


def id_number_for(n: int) -> str:
    """Distinct for n below 1,000 (the serial), birth dates between 1950 and 2009."""
    return make_id_number(dt.date(1950, 1, 1) + dt.timedelta(days=(n * 37) % (60 * 365)), serial=n)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    address = factory.Sequence(lambda n: f"幸福路{n}号")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n}")
    id_number = factory.Sequence(id_number_for)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    residence_type = ResidenceType.REGISTERED


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    name = factory.Sequence(lambda n: f"{n}栋")


class HouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = House

    address = factory.Sequence(lambda n: f"和平街{n}号")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"示例企业{n}")
    kind = OrganisationKind.ENTERPRISE
