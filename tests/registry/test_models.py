import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from core.models import AuditLog
from core.pii import id_check_digit, keyed_hash, make_id_number, masked_value, pii_reveal
from registry import services
from registry.choices import Gender, Relation
from registry.models import Resident

from .factories import ResidentFactory, id_number_for

pytestmark = pytest.mark.django_db


def test_a_resident_takes_birth_date_and_gender_from_the_id_number(tree):
    id_number = make_id_number(dt.date(1980, 5, 17), serial=123)  # 17th digit 3: odd, a man
    resident = services.resident_create(grid=tree["grid_v1"], name="张三", id_number=id_number)
    assert resident.birth_date == dt.date(1980, 5, 17)
    assert resident.gender == Gender.MALE


def test_an_id_number_with_a_wrong_check_digit_is_refused(tree):
    good = make_id_number(dt.date(1980, 5, 17), serial=123)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(grid=tree["grid_v1"], name="张三", id_number=wrong)
    assert "id_number" in excinfo.value.message_dict
    assert not Resident.objects.exists()


@pytest.mark.parametrize("bad", ["51190319800517123", "5119031980051712", "511903198013321234", "ABC"])
def test_malformed_id_numbers_are_refused(tree, bad):
    with pytest.raises(ValidationError):
        services.resident_create(grid=tree["grid_v1"], name="张三", id_number=bad)


def test_an_id_number_that_contradicts_the_birth_date_entered_is_refused(tree):
    id_number = make_id_number(dt.date(1980, 5, 17), serial=123)
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(
            grid=tree["grid_v1"], name="张三", id_number=id_number, birth_date=dt.date(1981, 5, 17)
        )
    assert "birth_date" in excinfo.value.message_dict


def test_a_resident_is_unique_by_id_number_through_the_keyed_hash(tree):
    first17 = "51190319900101002"
    id_number = first17 + id_check_digit(first17)
    services.resident_create(grid=tree["grid_v1"], name="李四", id_number=id_number)
    # The same number typed differently (spaces, lower-case x) is the same person, even in another grid.
    retyped = " ".join([id_number[:6], id_number[6:14], id_number[14:]]).lower()
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(grid=tree["grid_b1"], name="李四", id_number=retyped)
    assert "already registered" in " ".join(excinfo.value.messages) or "已登记" in " ".join(
        excinfo.value.messages
    )
    assert Resident.objects.count() == 1
    assert services.resident_find_by_id_number(retyped).name == "李四"


def test_the_database_itself_refuses_a_second_row_with_the_same_id_hash(tree):
    resident = ResidentFactory(grid=tree["grid_v1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.bulk_create(
            [Resident(grid=tree["grid_v1"], name="重复", id_number=resident.id_number)]
        )


def test_id_and_phone_numbers_are_stored_encrypted_and_found_by_hash(tree):
    resident = ResidentFactory(grid=tree["grid_v1"], phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM registry_resident WHERE id = %s", [resident.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert resident.id_number not in stored_id and "13912345678" not in stored_phone
    assert Resident.objects.get(phone_hash=keyed_hash("139 1234 5678")) == resident
    assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number


def test_id_numbers_are_masked_and_a_reveal_is_recorded_with_its_reason(tree, district_admin, town_user):
    resident = ResidentFactory(grid=tree["grid_v1"], id_number=id_number_for(7))
    masked = masked_value(resident, "id_number")
    assert masked == resident.id_number[:4] + "*" * 10 + resident.id_number[-4:]

    with pytest.raises(PermissionDenied):
        pii_reveal(user=town_user, obj=resident, field="id_number", reason="核实身份")
    value = pii_reveal(user=district_admin, obj=resident, field="id_number", reason="核实身份信息")
    assert value == resident.id_number
    log = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (log.actor, log.object_type, log.field, log.reason) == (
        district_admin,
        "registry.Resident",
        "id_number",
        "核实身份信息",
    )


def test_residents_live_in_grids_not_in_villages(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.resident_create(grid=tree["village"], name="王五", id_number=id_number_for(3))
    assert "grid" in excinfo.value.message_dict


def test_a_household_head_is_one_of_its_members_and_there_is_one_head(tree):
    grid = tree["grid_v1"]
    household = services.household_create(grid=grid, address="甲村1组1号")
    father = ResidentFactory(grid=grid)
    son = ResidentFactory(grid=grid)
    stranger = ResidentFactory(grid=grid)
    services.household_add_member(household=household, resident=father, relation=Relation.HEAD)
    services.household_add_member(household=household, resident=son, relation=Relation.CHILD)
    household.refresh_from_db()
    assert household.head == father

    with pytest.raises(ValidationError):
        services.household_set_head(household=household, resident=stranger)
    services.household_set_head(household=household, resident=son)
    household.refresh_from_db()
    father.refresh_from_db()
    assert household.head == son and father.relation_to_head == Relation.OTHER


def test_a_member_from_another_grid_is_refused(tree):
    household = services.household_create(grid=tree["grid_v1"], address="甲村1组2号")
    elsewhere = ResidentFactory(grid=tree["grid_b1"])
    with pytest.raises(ValidationError):
        services.household_add_member(household=household, resident=elsewhere)


def test_listing_tenants_flags_the_house_as_rented(tree):
    grid = tree["grid_c1"]
    building = services.building_create(grid=grid, name="3栋")
    house = services.house_create(grid=grid, building=building, address="和平街8号", number="3-201")
    assert not house.is_rented
    tenant = ResidentFactory(grid=grid, residence_type="floating")
    services.house_set_tenants(house=house, tenants=[tenant])
    house.refresh_from_db()
    assert house.is_rented and list(house.tenants.all()) == [tenant]


def test_an_organisation_credit_code_has_18_characters(tree):
    with pytest.raises(ValidationError):
        services.organisation_create(
            grid=tree["grid_c1"], name="某公司", kind="enterprise", credit_code="123"
        )
    org = services.organisation_create(
        grid=tree["grid_c1"],
        name="某学校",
        kind="school",
        credit_code="12511903MB1234567X",
        contact_phone="13800001111",
    )
    assert masked_value(org, "contact_phone") == "138****1111"


def test_a_village_user_sees_only_residents_of_the_village(tree, village_user):
    ResidentFactory(grid=tree["grid_v1"], name="本村")
    ResidentFactory(grid=tree["grid_b1"], name="外村")
    assert list(Resident.objects.visible_to(village_user).values_list("name", flat=True)) == ["本村"]
