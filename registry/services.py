"""Every write to the registry: keyword-only, validated in full, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.pii import keyed_hash

from .choices import Relation
from .models import Building, House, Household, Organisation, Resident

RESIDENT_FIELDS = {
    "grid",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "phone",
    "residence_type",
    "household",
    "relation_to_head",
    "address",
    "registered_address",
    "moved_in_on",
    "status",
    "note",
}
HOUSEHOLD_FIELDS = {"grid", "number", "address", "residence_type", "house", "note"}
BUILDING_FIELDS = {"grid", "name", "address", "kind", "floors", "longitude", "latitude"}
HOUSE_FIELDS = {"grid", "building", "number", "address", "owner", "owner_name", "floor_area_m2", "is_rented"}
ORGANISATION_FIELDS = {
    "grid",
    "name",
    "kind",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "employees",
    "building",
}


def _check_fields(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})


def _save(obj, data: dict, allowed: set[str]):
    _check_fields(data, allowed)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def resident_find_by_id_number(id_number: str) -> Resident | None:
    """The one resident with this ID number, found through the keyed hash (whoever asks)."""
    digest = keyed_hash(id_number)
    return Resident.objects.filter(id_number_hash=digest).first() if digest else None


@transaction.atomic
def resident_create(**data) -> Resident:
    resident = _save(Resident(), data, RESIDENT_FIELDS)
    if resident.household_id and resident.relation_to_head == Relation.HEAD:
        _make_head(resident.household, resident)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, **data) -> Resident:
    previous_household = resident.household_id
    resident = _save(resident, data, RESIDENT_FIELDS)
    if previous_household and previous_household != resident.household_id:
        Household.objects.filter(pk=previous_household, head=resident).update(head=None)
    if resident.household_id and resident.relation_to_head == Relation.HEAD:
        _make_head(resident.household, resident)
    return resident


def _make_head(household: Household, resident: Resident) -> None:
    old = household.head_id
    if old and old != resident.pk:
        Resident.objects.filter(pk=old, relation_to_head=Relation.HEAD).update(
            relation_to_head=Relation.OTHER
        )
    if old != resident.pk:
        household.head = resident
        household.save(update_fields=["head", "updated_at"])


@transaction.atomic
def household_create(
    *, members: list[Resident] | None = None, head: Resident | None = None, **data
) -> Household:
    household = _save(Household(), data, HOUSEHOLD_FIELDS)
    for member in members or []:
        household_add_member(household=household, resident=member)
    if head is not None:
        household_set_head(household=household, resident=head)
    return household


@transaction.atomic
def household_update(*, household: Household, **data) -> Household:
    if "grid" in data and data["grid"] != household.grid and household.members.exists():
        raise ValidationError(
            {"grid": _("Move the members first: a household and its members live in the same grid.")}
        )
    return _save(household, data, HOUSEHOLD_FIELDS)


@transaction.atomic
def household_add_member(*, household: Household, resident: Resident, relation: str = "") -> Resident:
    if resident.grid_id != household.grid_id:
        raise ValidationError({"household": _("A household member lives in the household's grid.")})
    if resident.household_id and resident.household_id != household.pk:
        Household.objects.filter(pk=resident.household_id, head=resident).update(head=None)
    resident.household = household
    if relation:
        resident.relation_to_head = relation
    resident.save(update_fields=["household", "relation_to_head", "updated_at"])
    if resident.relation_to_head == Relation.HEAD:
        _make_head(household, resident)
    return resident


@transaction.atomic
def household_remove_member(*, household: Household, resident: Resident) -> Resident:
    if resident.household_id != household.pk:
        raise ValidationError({"resident": _("This person is not a member of the household.")})
    if household.head_id == resident.pk:
        household.head = None
        household.save(update_fields=["head", "updated_at"])
    resident.household = None
    resident.relation_to_head = ""
    resident.save(update_fields=["household", "relation_to_head", "updated_at"])
    return resident


@transaction.atomic
def household_set_head(*, household: Household, resident: Resident) -> Household:
    if resident.household_id != household.pk:
        raise ValidationError({"head": _("The head of household must be one of its members.")})
    resident.relation_to_head = Relation.HEAD
    resident.save(update_fields=["relation_to_head", "updated_at"])
    _make_head(household, resident)
    return household


@transaction.atomic
def building_create(**data) -> Building:
    return _save(Building(), data, BUILDING_FIELDS)


@transaction.atomic
def building_update(*, building: Building, **data) -> Building:
    return _save(building, data, BUILDING_FIELDS)


@transaction.atomic
def house_create(*, tenants: list[Resident] | None = None, **data) -> House:
    house = _save(House(), data, HOUSE_FIELDS)
    if tenants:
        house_set_tenants(house=house, tenants=tenants)
    return house


@transaction.atomic
def house_update(*, house: House, tenants: list[Resident] | None = None, **data) -> House:
    house = _save(house, data, HOUSE_FIELDS)
    if tenants is not None:
        house_set_tenants(house=house, tenants=tenants)
    return house


@transaction.atomic
def house_set_tenants(*, house: House, tenants: list[Resident]) -> House:
    """Tenants live in rented housing: listing them flags the house as rented."""
    if tenants and not house.is_rented:
        house.is_rented = True
        house.save(update_fields=["is_rented", "updated_at"])
    house.tenants.set(tenants)
    return house


@transaction.atomic
def organisation_create(**data) -> Organisation:
    return _save(Organisation(), data, ORGANISATION_FIELDS)


@transaction.atomic
def organisation_update(*, organisation: Organisation, **data) -> Organisation:
    return _save(organisation, data, ORGANISATION_FIELDS)
