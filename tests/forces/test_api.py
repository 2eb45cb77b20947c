import pytest

from accounts.models import Role
from forces import services
from forces.choices import EmergencyLevel, EmergencyType, ForceSubtype
from forces.models import Activation, ForceMember, GridLeader
from tests import factories

from .factories import again, make_member

pytestmark = pytest.mark.django_db


def test_the_member_list_is_scoped_masked_and_its_query_count_does_not_grow(
    tree, emergency_members, api_for, town_user, django_assert_max_num_queries
):
    client = api_for(again(town_user))
    for i in range(20):
        make_member(tree["grid_v1"], name=f"批量{i}")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/force-members/", {"page_size": 100})

    assert response.status_code == 200
    names = {row["name"] for row in response.data["results"]}
    assert "应急乙一" not in names and "应急甲一" in names
    assert response.data["count"] == 23
    phone = next(r["phone"] for r in response.data["results"] if r["name"] == "应急甲二")
    assert "*" in phone and phone != emergency_members["v2"].phone


def test_a_member_outside_the_jurisdiction_is_a_404(tree, emergency_members, api_for, town_user):
    response = api_for(again(town_user)).get(f"/api/v1/force-members/{emergency_members['b1'].pk}/")
    assert response.status_code == 404


def test_creating_an_embedded_member_on_a_village_grid_is_a_400_with_the_rule(tree, api_for, town_user):
    police = factories.DepartmentFactory(code="police")
    response = api_for(again(town_user)).post(
        "/api/v1/force-members/",
        {
            "name": "民警",
            "subtype": ForceSubtype.POLICE,
            "phone": "13812345678",
            "area": tree["grid_v1"].pk,
            "department": police.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "area" in response.data
    assert not ForceMember.objects.exists()


def test_a_wrong_leader_pairing_is_a_400_and_a_right_one_is_created(tree, town_cadre, api_for, town_user):
    client = api_for(again(town_user))
    village_cadre = make_member(tree["village"], subtype=ForceSubtype.VILLAGE_CADRE)

    bad = client.post(
        "/api/v1/grid-leaders/", {"area": tree["grid_v1"].pk, "member": village_cadre.pk}, format="json"
    )
    good = client.post(
        "/api/v1/grid-leaders/", {"area": tree["grid_v1"].pk, "member": town_cadre.pk}, format="json"
    )

    assert bad.status_code == 400 and "member" in bad.data
    assert good.status_code == 201
    assert GridLeader.objects.get().member == town_cadre


def test_a_grids_forces_endpoint_answers_who_coordinates_whom(tree, town_cadre, emergency_members, api_for):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    user = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])

    response = api_for(user).get(f"/api/v1/grid-forces/{tree['grid_v1'].pk}/")

    assert response.status_code == 200
    assert response.data["leader"]["name"] == town_cadre.name
    assert [m["name"] for m in response.data["members"]["emergency"]] == ["应急甲一", "应急甲二"]
    assert response.data["subtree_counts"]["emergency"] == 2
    assert api_for(user).get(f"/api/v1/grid-forces/{tree['grid_b1'].pk}/").status_code == 404


def test_activating_through_the_api_and_an_overlap_answers_409_naming_the_open_one(
    tree, emergency_members, api_for, district_user, town_user
):
    body = {"area": tree["town_a"].pk, "emergency_type": EmergencyType.FLOOD, "level": EmergencyLevel.II}
    created = api_for(again(town_user)).post(
        "/api/v1/activations/", {**body, "title": "甲镇防汛"}, format="json"
    )
    assert created.status_code == 201
    assert Activation.objects.get().mobilisations.count() == 3

    clash = api_for(district_user).post(
        "/api/v1/activations/", {**body, "area": tree["district"].pk}, format="json"
    )
    assert clash.status_code == 409
    assert "甲镇防汛" in clash.data["detail"]


def test_a_village_user_cannot_activate(tree, api_for):
    user = factories.UserFactory(role=Role.VILLAGE_STAFF, jurisdiction=tree["village"])
    body = {"area": tree["village"].pk, "emergency_type": EmergencyType.FIRE, "level": EmergencyLevel.IV}
    assert api_for(user).post("/api/v1/activations/", body, format="json").status_code == 403


def test_a_member_acknowledges_and_checks_in_through_the_api_then_staff_end_it(
    tree, emergency_members, api_for, district_user
):
    activation = services.activation_open(
        area=tree["town_a"], emergency_type=EmergencyType.FLOOD, level=EmergencyLevel.III, actor=district_user
    )
    member_client = api_for(emergency_members["v1"].user)

    mine = member_client.get("/api/v1/mobilisations/mine/")
    assert [m["activation"] for m in mine.data] == [activation.pk]
    pk = mine.data[0]["id"]
    assert member_client.post(f"/api/v1/mobilisations/{pk}/acknowledge/").status_code == 200
    assert member_client.post(f"/api/v1/mobilisations/{pk}/acknowledge/").status_code == 409
    checked = member_client.post(
        f"/api/v1/mobilisations/{pk}/check-in/", {"note": "已到岗", "lng": 106.6, "lat": 31.8}, format="json"
    )
    assert checked.status_code == 200 and checked.data["checked_in_at"]
    other = emergency_members["v2"]
    assert (
        member_client.get(
            f"/api/v1/mobilisations/{activation.mobilisations.get(member=other).pk}/"
        ).status_code
        == 404
    )

    ended = api_for(district_user).post(f"/api/v1/activations/{activation.pk}/end/")
    assert ended.status_code == 200
    assert ended.data["figures"]["members_acknowledged"] == 1
    assert (
        api_for(district_user).get(f"/api/v1/activations/{activation.pk}/figures/").data
        == ended.data["figures"]
    )


def test_the_open_endpoint_leaves_drills_out(tree, api_for, district_user):
    services.activation_open(
        area=tree["town_a"],
        emergency_type=EmergencyType.FIRE,
        level=EmergencyLevel.IV,
        is_drill=True,
        actor=district_user,
    )
    client = api_for(district_user)
    assert client.get("/api/v1/activations/open/").data == []
    assert len(client.get("/api/v1/activations/open/", {"drills": "1"}).data) == 1


def test_approving_a_registration_through_the_api(tree, api_for, village_user):
    pending = services.member_register(
        name="志愿者王", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000005"
    )
    response = api_for(again(village_user)).post(f"/api/v1/force-members/{pending.pk}/approve/")
    assert response.status_code == 200 and response.data["status"] == "active"
    again_ = api_for(again(village_user)).post(f"/api/v1/force-members/{pending.pk}/approve/")
    assert again_.status_code == 409


def test_tasks_and_shifts_through_the_api(tree, emergency_members, api_for, district_user):
    activation = services.activation_open(
        area=tree["town_a"], emergency_type=EmergencyType.FLOOD, level=EmergencyLevel.III, actor=district_user
    )
    client = api_for(district_user)
    v1 = emergency_members["v1"]
    task = client.post(
        "/api/v1/activation-tasks/",
        {"activation": activation.pk, "kind": "patrol", "title": "河堤巡查", "assignee": v1.pk},
        format="json",
    )
    assert task.status_code == 201
    shift = client.post(
        "/api/v1/duty-shifts/",
        {
            "activation": activation.pk,
            "member": v1.pk,
            "starts_at": "2026-07-10T08:00:00+08:00",
            "ends_at": "2026-07-10T20:00:00+08:00",
            "post": "村委会值班室",
        },
        format="json",
    )
    assert shift.status_code == 201
    done = api_for(v1.user).post(
        f"/api/v1/activation-tasks/{task.data['id']}/done/", {"note": "无险情"}, format="json"
    )
    assert done.status_code == 200 and done.data["status"] == "done"


def test_the_activation_list_query_count_does_not_grow(
    tree, api_for, district_user, django_assert_max_num_queries
):
    for kind in (EmergencyType.FLOOD, EmergencyType.FIRE, EmergencyType.OTHER, EmergencyType.PUBLIC_HEALTH):
        services.activation_open(area=tree["town_a"], emergency_type=kind, level="IV", actor=district_user)
    with django_assert_max_num_queries(6):
        response = api_for(district_user).get("/api/v1/activations/")
    assert response.data["count"] == 4


def test_linking_households_through_the_api(tree, emergency_members, api_for, town_user):
    from registry.services import household_create

    home = household_create(grid=tree["grid_v1"], address="甲村8号")
    elsewhere = household_create(grid=tree["grid_b1"], address="乙村8号")
    client = api_for(again(town_user))
    member = emergency_members["v2"]

    ok = client.post(f"/api/v1/force-members/{member.pk}/households/", {"add": [home.pk]}, format="json")
    hidden = client.post(
        f"/api/v1/force-members/{member.pk}/households/", {"add": [elsewhere.pk]}, format="json"
    )

    assert ok.status_code == 200 and ok.data["households"] == [home.pk]
    assert hidden.status_code == 400


def test_changing_a_member_through_the_api_keeps_the_rules(tree, emergency_members, api_for, town_user):
    client = api_for(again(town_user))
    member = emergency_members["v2"]

    moved = client.patch(f"/api/v1/force-members/{member.pk}/", {"area": tree["village"].pk}, format="json")
    refused = client.patch(f"/api/v1/force-members/{member.pk}/", {"area": tree["town_a"].pk}, format="json")
    outside = client.patch(f"/api/v1/force-members/{member.pk}/", {"area": tree["grid_b1"].pk}, format="json")

    assert moved.status_code == 200 and moved.data["area"] == tree["village"].pk
    assert refused.status_code == 400 and "area" in refused.data
    assert outside.status_code == 404
    assert ForceMember.objects.get(pk=member.pk).area == tree["village"]


def test_the_call_up_list_query_count_does_not_grow(
    tree, api_for, district_user, django_assert_max_num_queries
):
    for i in range(15):
        make_member(tree["grid_v1"], name=f"队员{i}")
    services.activation_open(
        area=tree["town_a"], emergency_type=EmergencyType.FLOOD, level="IV", actor=district_user
    )
    with django_assert_max_num_queries(6):
        response = api_for(district_user).get("/api/v1/mobilisations/")
    assert response.data["count"] == 15


def test_a_plan_with_an_attachment_is_followed_by_an_activation(tree, api_for, district_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_for(district_user)
    plan = client.post(
        "/api/v1/emergency-plans/",
        {"name": "恩阳区防汛应急预案", "emergency_type": "flood", "area": tree["district"].pk},
        format="json",
    )
    assert plan.status_code == 201
    upload = SimpleUploadedFile("预案.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    attached = client.post(
        f"/api/v1/emergency-plans/{plan.data['id']}/attachments/",
        {"file": upload, "title": "正文"},
        format="multipart",
    )
    assert attached.status_code == 201

    wrong = client.post(
        "/api/v1/activations/",
        {"area": tree["town_a"].pk, "emergency_type": "fire", "level": "IV", "plan": plan.data["id"]},
        format="json",
    )
    right = client.post(
        "/api/v1/activations/",
        {"area": tree["town_a"].pk, "emergency_type": "flood", "level": "IV", "plan": plan.data["id"]},
        format="json",
    )
    assert wrong.status_code == 400 and "plan" in wrong.data
    assert right.status_code == 201 and right.data["plan"] == plan.data["id"]


LIST_ENDPOINTS = [
    "force-members",
    "grid-leaders",
    "emergency-plans",
    "activations",
    "mobilisations",
    "duty-shifts",
    "activation-tasks",
]


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_every_endpoint_refuses_anonymous_callers(api, endpoint):
    assert api.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_an_outsider_lists_nothing_of_another_town(
    tree, emergency_members, district_user, api_for, outsider, endpoint
):
    activation = services.activation_open(
        area=tree["town_a"], emergency_type=EmergencyType.FLOOD, level="IV", actor=district_user
    )
    services.task_assign(activation=activation, kind="patrol", title="巡查", assignee=emergency_members["v1"])
    response = api_for(again(outsider)).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    names = str(response.data)
    assert "应急甲" not in names and "巡查" not in names
