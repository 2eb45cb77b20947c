import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.errors import ConflictError
from forces import selectors, services
from forces.choices import ForceKind, ForceSubtype, MemberStatus
from forces.models import ForceMember, GridLeader
from grids.models import Area
from tests import factories

from .factories import again, make_member

pytestmark = pytest.mark.django_db


# --- grid leader pairing ---------------------------------------------------------------------------------


def test_a_town_cadre_of_the_same_town_leads_a_level1_grid_and_the_area_shows_them(
    tree, town_cadre, town_user
):
    leadership = services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre, actor=town_user)

    assert leadership.member == town_cadre
    assert Area.objects.get(pk=tree["grid_v1"].pk).leader == town_cadre.user


def test_a_village_cadre_cannot_lead_a_level1_grid(tree):
    cadre = make_member(tree["village"], subtype=ForceSubtype.VILLAGE_CADRE, name="村干部")

    with pytest.raises(ValidationError) as excinfo:
        services.grid_leader_assign(area=tree["grid_v1"], member=cadre)

    message = " ".join(excinfo.value.messages)
    assert "town cadre" in message or "镇" in message
    assert not GridLeader.objects.exists()


def test_a_town_cadre_of_another_town_cannot_lead_the_grid(tree):
    other = make_member(tree["town_b"], subtype=ForceSubtype.TOWN_CADRE, name="乙镇干部")

    with pytest.raises(ValidationError) as excinfo:
        services.grid_leader_assign(area=tree["grid_v1"], member=other)

    assert "乙镇" in " ".join(excinfo.value.messages)


def test_a_level2_grid_is_led_by_a_cadre_of_its_own_village_only(tree, town_cadre):
    group = factories.make_grid(tree["grid_v1"], name="第一村民小组")
    own = make_member(tree["village"], subtype=ForceSubtype.VILLAGE_CADRE, name="甲村干部")
    foreign = make_member(tree["village_b"], subtype=ForceSubtype.VILLAGE_CADRE, name="乙村干部")

    with pytest.raises(ValidationError, match="level-2|二级"):
        services.grid_leader_assign(area=group, member=town_cadre)
    with pytest.raises(ValidationError, match="乙村"):
        services.grid_leader_assign(area=group, member=foreign)
    assert services.grid_leader_assign(area=group, member=own).member == own


def test_a_level3_grid_and_a_village_have_no_grid_leader(tree, town_cadre):
    l3 = factories.make_grid(factories.make_grid(tree["grid_v1"]))
    for area in (l3, tree["village"]):
        with pytest.raises(ValidationError, match="level-1 and level-2|一级和二级"):
            services.grid_leader_assign(area=area, member=town_cadre)


def test_reassigning_a_leader_replaces_the_old_one(tree, town_cadre):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    second = make_member(tree["village"], subtype=ForceSubtype.TOWN_CADRE, name="另一挂联干部")

    services.grid_leader_assign(area=tree["grid_v1"], member=second)

    assert GridLeader.objects.get(area=tree["grid_v1"]).member == second
    assert Area.objects.get(pk=tree["grid_v1"].pk).leader is None  # the new leader has no account


def test_an_outsider_cannot_assign_a_leader_in_another_town(tree, town_cadre, outsider):
    with pytest.raises(PermissionDenied):
        services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre, actor=outsider)


# --- member rules ----------------------------------------------------------------------------------------


def test_embedded_staff_attach_to_urban_community_level1_grids_only(tree):
    police = factories.DepartmentFactory(code="police", name="区公安分局")

    member = make_member(tree["grid_c1"], subtype=ForceSubtype.POLICE, department=police, name="民警")
    assert member.kind == ForceKind.EMBEDDED

    with pytest.raises(ValidationError) as excinfo:
        make_member(tree["grid_v1"], subtype=ForceSubtype.POLICE, department=police)
    assert "area" in excinfo.value.message_dict


def test_department_staff_must_name_their_department(tree):
    with pytest.raises(ValidationError) as excinfo:
        make_member(tree["grid_c1"], subtype=ForceSubtype.COURT)
    assert "department" in excinfo.value.message_dict


def test_a_sub_type_from_another_force_is_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        make_member(tree["grid_v1"], subtype=ForceSubtype.VOLUNTEER, kind=ForceKind.EMERGENCY)
    assert "subtype" in excinfo.value.message_dict


def test_a_bad_phone_is_refused_and_a_good_one_is_stored_encrypted(tree):
    with pytest.raises(ValidationError) as excinfo:
        make_member(tree["grid_v1"], phone="12345")
    assert "phone" in excinfo.value.message_dict

    member = make_member(tree["grid_v1"], phone="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM forces_forcemember WHERE id = %s", [member.pk])
        stored = cursor.fetchone()[0]
    assert "13912345678" not in stored
    assert ForceMember.objects.get(pk=member.pk).phone == "13912345678"


# --- who coordinates whom --------------------------------------------------------------------------------


def test_a_grids_forces_lists_its_leader_and_members_by_kind_with_subtree_counts(
    tree, town_cadre, emergency_members, town_user
):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    worker = make_member(tree["grid_v1"], subtype=ForceSubtype.GRID_WORKER, name="网格员")
    volunteer = make_member(tree["grid_v1"], subtype=ForceSubtype.VOLUNTEER, name="志愿者")
    group = factories.make_grid(tree["grid_v1"])
    make_member(group, subtype=ForceSubtype.INFORMANT, name="信息员")
    services.member_register(
        name="待审", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000000"
    )

    forces = selectors.grid_forces(user=again(town_user), area=tree["grid_v1"])

    assert forces.leader.member == town_cadre
    assert forces.members[ForceKind.STANDING] == [worker]
    assert forces.members[ForceKind.SOCIAL] == [volunteer]
    assert {m.name for m in forces.members[ForceKind.EMERGENCY]} == {"应急甲一", "应急甲二"}
    assert forces.members[ForceKind.EMBEDDED] == []
    assert forces.subtree_counts == {"standing": 2, "embedded": 0, "emergency": 2, "social": 1, "total": 5}
    assert forces.pending == 1


def test_forces_by_kind_counts_a_town_and_gives_an_outsider_nothing(
    tree, town_cadre, emergency_members, outsider
):
    counts = selectors.forces_by_kind(user=factories.UserFactory(), area=tree["town_a"])
    assert counts == {"standing": 1, "embedded": 0, "emergency": 3, "social": 0, "total": 4}

    assert selectors.forces_by_kind(user=again(outsider), area=tree["town_a"])["total"] == 0


def test_a_member_is_counted_where_they_are_also_attached(tree):
    cadre = make_member(tree["town_a"], subtype=ForceSubtype.TOWN_CADRE, extra_areas=[tree["grid_b1"]])
    assert selectors.forces_by_kind(user=factories.UserFactory(), area=tree["village_b"])["standing"] == 1
    assert cadre in ForceMember.objects.attached_within(tree["grid_b1"])


# --- self-registration and approval ----------------------------------------------------------------------


def test_a_self_registered_volunteer_waits_for_village_staff_approval(tree, village_user):
    member = services.member_register(
        name="热心张", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000001"
    )
    assert (member.status, member.self_registered) == (MemberStatus.PENDING, True)
    assert list(selectors.pending_registrations(user=again(village_user))) == [member]

    approved = services.member_approve(member=member, actor=village_user)

    assert approved.status == MemberStatus.ACTIVE
    assert approved.reviewed_by == village_user
    with pytest.raises(ConflictError):
        services.member_approve(member=member, actor=village_user)


def test_staff_of_another_place_cannot_approve(tree, outsider):
    member = services.member_register(
        name="热心李", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000002"
    )
    with pytest.raises(PermissionDenied):
        services.member_approve(member=member, actor=outsider)
    assert ForceMember.objects.get(pk=member.pk).status == MemberStatus.PENDING


def test_only_social_force_members_may_register_themselves(tree):
    with pytest.raises(ValidationError):
        services.member_register(
            name="冒充", subtype=ForceSubtype.TOWN_CADRE, area=tree["grid_v1"], phone="13700000003"
        )


def test_a_rejected_registration_keeps_the_reason(tree, village_user):
    member = services.member_register(
        name="重复", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000004"
    )
    rejected = services.member_reject(member=member, actor=village_user, reason="重复登记")
    assert rejected.status == MemberStatus.REJECTED
    assert "重复登记" in rejected.note


def test_a_leader_cannot_be_retired_before_another_is_assigned(tree, town_cadre):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    with pytest.raises(ConflictError, match=tree["grid_v1"].name):
        services.member_retire(member=town_cadre)


def test_a_town_sees_the_districts_plan_but_not_another_towns(tree, town_user):
    from forces.models import EmergencyPlan

    district_plan = services.plan_create(name="区防汛预案", emergency_type="flood", area=tree["district"])
    own = services.plan_create(name="甲镇防汛预案", emergency_type="flood", area=tree["town_a"])
    services.plan_create(name="乙镇防汛预案", emergency_type="flood", area=tree["town_b"])

    visible = set(EmergencyPlan.objects.visible_to(again(town_user)))

    assert visible == {district_plan, own}
