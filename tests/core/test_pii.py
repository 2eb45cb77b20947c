import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role, User
from core.models import AuditLog
from core.pii import (
    keyed_hash,
    make_id_number,
    mask,
    pii_reveal,
    validate_id_matches_birth_date,
    validate_id_number,
)
from tests import factories


def test_masks_look_like_the_domain_examples():
    assert mask("511903199001011234", "id") == "5119**********1234"
    assert mask("13812345678", "phone") == "138****5678"
    assert mask("张三丰") == "张*丰"
    assert mask("") == ""


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)), st.integers(0, 999))
def test_generated_id_numbers_validate_and_carry_their_birth_date(birth, serial):
    number = make_id_number(birth, serial=serial)
    validate_id_number(number)
    validate_id_matches_birth_date(number, birth)


def test_a_wrong_check_digit_or_birth_date_is_refused():
    good = make_id_number(dt.date(1985, 6, 15))
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError, match="check digit|校验"):
        validate_id_number(wrong_check)
    with pytest.raises(ValidationError):
        validate_id_number("511903198513451234")  # month 13
    with pytest.raises(ValidationError, match="match|不一致"):
        validate_id_matches_birth_date(good, dt.date(1985, 6, 16))


def test_the_keyed_hash_ignores_spacing_and_case():
    assert keyed_hash("51190319850615123x") == keyed_hash(" 5119 0319 8506 1512 3X")
    assert keyed_hash("1") != keyed_hash("2")


@pytest.mark.django_db
def test_phone_numbers_are_encrypted_at_rest_and_found_by_hash(tree):
    user = factories.UserFactory(role=Role.DISTRICT_STAFF, jurisdiction=tree["district"], phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored and stored
    assert User.objects.get(pk=user.pk).phone == "13812345678"
    assert User.objects.get(phone_hash=keyed_hash("138 1234 5678")).pk == user.pk


@pytest.mark.django_db
def test_reveal_needs_the_permission_and_a_reason_and_is_recorded(tree, district_admin, district_user):
    target = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"], phone="13987654321")
    with pytest.raises(PermissionDenied):
        pii_reveal(user=district_user, obj=target, field="phone", reason="核实身份信息")
    with pytest.raises(ValidationError):
        pii_reveal(user=district_admin, obj=target, field="phone", reason=" ")
    assert not AuditLog.objects.filter(action="reveal").exists()

    assert pii_reveal(user=district_admin, obj=target, field="phone", reason="回访核实") == "13987654321"
    entry = AuditLog.objects.get(action="reveal")
    assert (entry.actor, entry.field, entry.reason, entry.object_id) == (
        district_admin,
        "phone",
        "回访核实",
        str(target.pk),
    )


@pytest.mark.django_db
def test_reveal_api_is_scoped_and_recorded(api_for, tree):
    town_admin = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])
    from django.contrib.auth.models import Permission

    town_admin.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    inside = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"], phone="13511112222")
    outside = factories.UserFactory(
        role=Role.VILLAGE_STAFF, jurisdiction=tree["village_b"], phone="13533334444"
    )
    client = api_for(User.objects.get(pk=town_admin.pk))
    url = reverse("api:reveal")
    body = {"model": "accounts.User", "field": "phone", "reason": "上门核实"}
    assert client.post(url, {**body, "id": outside.pk}, format="json").status_code == 404
    response = client.post(url, {**body, "id": inside.pk}, format="json")
    assert response.status_code == 200 and response.json() == {"value": "13511112222"}
    assert AuditLog.objects.filter(action="reveal", object_id=str(inside.pk)).count() == 1
    assert client.post(url, {**body, "id": inside.pk, "field": "username"}, format="json").status_code == 404
