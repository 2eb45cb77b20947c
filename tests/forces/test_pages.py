import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from forces import services
from forces.choices import EmergencyLevel, EmergencyType, ForceSubtype, MemberStatus
from forces.models import Activation, ForceMember
from tests import factories

from .factories import again

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_flood(area, actor):
    return services.activation_open(
        area=area, emergency_type=EmergencyType.FLOOD, level=EmergencyLevel.III, actor=actor
    )


def test_a_grids_forces_page_shows_its_leader_and_members_and_hides_other_grids(
    tree, town_cadre, emergency_members, village_user
):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    client = client_for(again(village_user))

    page = client.get(reverse("forces:grid-forces", args=[tree["grid_v1"].pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert town_cadre.name in html and "应急甲二" in html
    assert emergency_members["v2"].phone not in html
    assert client.get(reverse("forces:grid-forces", args=[tree["grid_b1"].pk])).status_code == 404


def test_a_volunteer_registers_on_the_public_page_and_village_staff_approve(tree, village_user):
    public = Client()
    assert public.get(reverse("forces:join")).status_code == 200

    response = public.post(
        reverse("forces:join"),
        {
            "name": "热心赵",
            "subtype": ForceSubtype.VOLUNTEER,
            "phone": "13711112222",
            "grid": tree["grid_v1"].pk,
        },
    )

    assert response.status_code == 302
    member = ForceMember.objects.get(name="热心赵")
    assert (member.status, member.self_registered) == (MemberStatus.PENDING, True)

    staff = client_for(again(village_user))
    assert "热心赵" in staff.get(reverse("forces:approvals")).content.decode()
    staff.post(reverse("forces:approvals"), {"member": member.pk, "action": "approve"})
    assert ForceMember.objects.get(pk=member.pk).status == MemberStatus.ACTIVE


def test_a_bad_phone_on_the_public_page_shows_the_error_and_saves_nothing(tree):
    response = Client().post(
        reverse("forces:join"),
        {"name": "某人", "subtype": ForceSubtype.VOLUNTEER, "phone": "123", "grid": tree["grid_v1"].pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ForceMember.objects.exists()


def test_the_phone_page_lets_a_member_acknowledge_and_check_in(tree, emergency_members, district_user):
    activation = open_flood(tree["town_a"], district_user)
    member = emergency_members["v1"]
    client = client_for(member.user)

    page = client.get(reverse("forces:my"))
    assert activation.title in page.content.decode()
    mob = activation.mobilisations.get(member=member)

    client.post(reverse("forces:mobilisation-answer", args=[mob.pk]), {"action": "acknowledge"})
    client.post(reverse("forces:mobilisation-answer", args=[mob.pk]), {"action": "check_in", "note": "到岗"})

    mob.refresh_from_db()
    assert mob.acknowledged_at and mob.checked_in_at and mob.check_in_note == "到岗"


def test_a_member_without_an_account_answers_through_the_sms_link(tree, emergency_members, district_user):
    activation = open_flood(tree["town_a"], district_user)
    mob = activation.mobilisations.get(member=emergency_members["v2"])
    anonymous = Client()

    assert anonymous.get(reverse("forces:mobilisation-token", args=[mob.token])).status_code == 200
    anonymous.post(reverse("forces:mobilisation-token", args=[mob.token]), {"action": "acknowledge"})

    mob.refresh_from_db()
    assert mob.acknowledged_at is not None
    assert anonymous.get(reverse("forces:mobilisation-token", args=["wrong-token"])).status_code == 404


def test_a_town_activates_from_the_page_sees_the_call_ups_and_ends_it(tree, emergency_members, town_user):
    client = client_for(again(town_user))
    response = client.post(
        reverse("forces:activation-list"),
        {
            "area": tree["town_a"].pk,
            "emergency_type": EmergencyType.FIRE,
            "level": EmergencyLevel.IV,
            "title": "山火",
        },
    )
    activation = Activation.objects.get()
    assert response.status_code == 302

    detail = client.get(reverse("forces:activation-detail", args=[activation.pk])).content.decode()
    assert "应急甲一" in detail and "应急乙一" not in detail

    client.post(reverse("forces:activation-end", args=[activation.pk]))
    assert Activation.objects.get().status == "ended"


def test_an_overlapping_activation_from_the_page_shows_the_open_one(tree, district_user, town_user):
    open_flood(tree["district"], district_user)
    client = client_for(again(town_user))
    response = client.post(
        reverse("forces:activation-list"),
        {"area": tree["town_a"].pk, "emergency_type": EmergencyType.FLOOD, "level": EmergencyLevel.IV},
        follow=True,
    )
    assert Activation.objects.count() == 1
    assert any("恩阳区" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize(
    "model",
    [
        "forcemember",
        "gridleader",
        "emergencyplan",
        "activation",
        "mobilisation",
        "dutyshift",
        "activationtask",
    ],
)
def test_every_admin_page_renders_for_district_staff(tree, emergency_members, district_admin, model):
    open_flood(tree["town_a"], district_admin)
    client = client_for(district_admin)
    assert client.get(reverse(f"admin:forces_{model}_changelist")).status_code == 200
    if model not in ("mobilisation",):
        assert client.get(reverse(f"admin:forces_{model}_add")).status_code == 200


def test_the_admin_member_list_is_scoped_and_masks_phones(tree, emergency_members):
    town_admin = factories.UserFactory(role=Role.TOWN_STAFF, jurisdiction=tree["town_a"])
    page = client_for(again(town_admin)).get(reverse("admin:forces_forcemember_changelist"))
    html = page.content.decode()
    assert "应急甲一" in html and "应急乙一" not in html
    assert emergency_members["v1"].phone not in html


def test_adding_a_member_in_the_admin_goes_through_the_rules(tree, district_admin):
    client = client_for(district_admin)
    response = client.post(
        reverse("admin:forces_forcemember_add"),
        {
            "name": "民警张",
            "subtype": ForceSubtype.POLICE,
            "phone_input": "13812340000",
            "area": tree["grid_v1"].pk,
            "status": MemberStatus.ACTIVE,
        },
    )
    assert response.status_code == 200  # the form comes back with the rule
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "urban-community" in errors or "城市社区" in errors
    assert not ForceMember.objects.exists()

    response = client.post(
        reverse("admin:forces_forcemember_add"),
        {
            "name": "志愿者",
            "subtype": ForceSubtype.VOLUNTEER,
            "phone_input": "13812340001",
            "area": tree["grid_v1"].pk,
            "status": MemberStatus.ACTIVE,
        },
    )
    assert response.status_code == 302
    assert ForceMember.objects.get().phone == "13812340001"


def test_activating_in_the_admin_calls_up_members_and_an_overlap_comes_back_on_the_form(
    tree, emergency_members, district_admin
):
    client = client_for(district_admin)
    body = {
        "title": "甲镇防汛",
        "emergency_type": EmergencyType.FLOOD,
        "level": EmergencyLevel.III,
        "area": tree["town_a"].pk,
        "remind_after_minutes": 30,
        "leader_after_minutes": 60,
        "mobilisations-TOTAL_FORMS": 0,
        "mobilisations-INITIAL_FORMS": 0,
    }
    assert client.post(reverse("admin:forces_activation_add"), body).status_code == 302
    assert Activation.objects.get().mobilisations.count() == 3

    again_ = client.post(reverse("admin:forces_activation_add"), {**body, "area": tree["district"].pk})
    assert again_.status_code == 200
    assert "甲镇防汛" in " ".join(again_.context["adminform"].form.non_field_errors())
    assert Activation.objects.count() == 1


def test_editing_a_member_in_the_admin_keeps_the_phone_when_left_empty(
    tree, emergency_members, district_admin
):
    member = emergency_members["v2"]
    client = client_for(district_admin)
    page = client.get(reverse("admin:forces_forcemember_change", args=[member.pk]))
    assert member.phone not in page.content.decode()

    response = client.post(
        reverse("admin:forces_forcemember_change", args=[member.pk]),
        {"name": "改名", "subtype": member.subtype, "phone_input": "", "area": member.area_id},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.phone) == ("改名", emergency_members["v2"].phone)
