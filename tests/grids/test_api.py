import pytest
from django.urls import reverse

from accounts.models import Role
from grids.models import Area
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_callers_are_refused(api, tree):
    assert api.get(reverse("api:area-list")).status_code == 401


def test_a_town_user_sees_only_their_town(api_for, town_user, tree):
    response = api_for(town_user).get(reverse("api:area-list"), {"page_size": 500})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert tree["town_a"].code in codes and tree["grid_v1"].code in codes
    assert tree["town_b"].code not in codes and tree["district"].code not in codes


def test_a_town_user_gets_404_for_another_towns_node(api_for, town_user, tree):
    client = api_for(town_user)
    for name in ("detail", "children", "descendants", "path"):
        response = client.get(reverse(f"api:area-{name}", args=[tree["village_b"].pk]))
        assert response.status_code == 404, name
    assert client.get(reverse("api:area-coverage"), {"area": tree["town_b"].pk}).status_code == 404


def test_district_staff_see_every_node(api_for, district_user, tree):
    response = api_for(district_user).get(reverse("api:area-detail", args=[tree["village_b"].pk]))
    assert response.status_code == 200
    assert response.json()["code"] == tree["village_b"].code


def test_filters_by_kind_parent_and_subtree(api_for, district_user, tree):
    client = api_for(district_user)
    url = reverse("api:area-list")
    grids = client.get(url, {"kind": "grid_l1"}).json()
    assert grids["count"] == 3
    children = client.get(url, {"parent": tree["town_a"].pk}).json()
    assert {r["code"] for r in children["results"]} == {tree["community"].code, tree["village"].code}
    within = client.get(url, {"within": tree["town_b"].pk}).json()
    assert {r["code"] for r in within["results"]} == {
        tree["town_b"].code,
        tree["village_b"].code,
        tree["grid_b1"].code,
    }
    assert client.get(url, {"search": "乙村"}).json()["count"] == 2


def test_children_descendants_and_path(api_for, district_user, tree):
    client = api_for(district_user)
    children = client.get(reverse("api:area-children", args=[tree["town_a"].pk])).json()
    assert children["count"] == 2
    descendants = client.get(reverse("api:area-descendants", args=[tree["town_a"].pk])).json()
    assert descendants["count"] == 4
    path = client.get(reverse("api:area-path", args=[tree["grid_v1"].pk])).json()
    assert [p["code"] for p in path] == [
        tree["district"].code,
        tree["town_a"].code,
        tree["village"].code,
        tree["grid_v1"].code,
    ]


def test_coverage_report_through_the_api(api_for, town_user, tree):
    factories.make_village(tree["town_a"], name="无网格村")
    body = api_for(town_user).get(reverse("api:area-coverage")).json()
    assert body["area"]["code"] == tree["town_a"].code
    assert [u["name"] for u in body["units_without_grid"]] == ["无网格村"]


def test_create_through_the_api_uses_the_service_and_refuses_a_wrong_parent(api_for, district_admin, tree):
    client = api_for(district_admin)
    url = reverse("api:area-list")
    ok = client.post(
        url,
        {"kind": "village", "name": "新村", "parent": tree["town_b"].pk, "urban_rural_class": "220"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["code"] == tree["town_b"].code[:9] + "201"
    bad = client.post(
        url,
        {"kind": "grid_l1", "name": "错网格", "parent": tree["town_b"].pk, "grid_type": "village"},
        format="json",
    )
    assert bad.status_code == 400
    assert "parent" in bad.json()


def test_a_town_user_cannot_create_under_another_town(api_for, town_user, tree):
    response = api_for(town_user).post(
        reverse("api:area-list"),
        {"kind": "village", "name": "越权村", "parent": tree["town_b"].pk, "urban_rural_class": "220"},
        format="json",
    )
    assert response.status_code == 404
    assert not Area.objects.filter(name="越权村").exists()


def test_a_grid_worker_cannot_write(api_for, tree):
    worker = factories.UserFactory(role=Role.GRID_WORKER, jurisdiction=tree["grid_v1"])
    response = api_for(worker).patch(
        reverse("api:area-detail", args=[tree["grid_v1"].pk]), {"name": "x"}, format="json"
    )
    assert response.status_code == 403


def test_move_refuses_a_cycle_with_400(api_for, district_admin, tree):
    l2 = factories.make_grid(tree["grid_v1"])
    response = api_for(district_admin).post(
        reverse("api:area-move", args=[tree["grid_v1"].pk]), {"parent": l2.pk}, format="json"
    )
    assert response.status_code == 400


def test_list_query_count_does_not_grow_with_rows(
    api_for, district_user, tree, django_assert_max_num_queries
):
    client = api_for(district_user)
    url = reverse("api:area-list")
    with django_assert_max_num_queries(6) as small:
        client.get(url)
    for i in range(15):
        factories.make_grid(tree["village_b"], name=f"多{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.json()["count"] == 9 + 15


def test_geojson_lists_boundaries(api_for, district_user, tree):
    from grids import geometry, services

    services.area_update(area=tree["grid_v1"], boundary=geometry.rectangle(106.0, 31.0, 106.1, 31.1))
    body = api_for(district_user).get(reverse("api:area-geojson"), {"kind": "grid_l1"}).json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [tree["grid_v1"].code]


def test_department_grids_map_onto_unified_grids_and_are_scoped(api_for, district_user, town_user, tree):
    from grids.models import DepartmentGrid

    fire = factories.DepartmentFactory(code="fire", name="消防救援大队")
    mapped = DepartmentGrid.objects.create(department=fire, kind="fire", code="XF-01", name="消防一网格")
    mapped.unified_grids.set([tree["grid_v1"], tree["grid_c1"]])
    other = DepartmentGrid.objects.create(department=fire, kind="fire", code="XF-02", name="消防二网格")
    other.unified_grids.set([tree["grid_b1"]])

    body = api_for(district_user).get(reverse("api:department-grid-list")).json()
    assert [g["code"] for g in body["results"]] == ["XF-01", "XF-02"]
    assert set(body["results"][0]["unified_grid_codes"]) == {tree["grid_v1"].code, tree["grid_c1"].code}
    town_body = api_for(town_user).get(reverse("api:department-grid-list")).json()
    assert [g["code"] for g in town_body["results"]] == ["XF-01"]
