import io

import pytest
from openpyxl import Workbook

from registry.models import Resident

from .factories import HouseholdFactory, OrganisationFactory, ResidentFactory, id_number_for

pytestmark = pytest.mark.django_db

RESIDENTS = "/api/v1/registry/residents/"


def test_residents_are_listed_masked_within_the_jurisdiction(
    tree, town_staff, api_for, django_assert_max_num_queries
):
    ResidentFactory.create_batch(3, grid=tree["grid_v1"])
    ResidentFactory(grid=tree["grid_b1"], name="外镇")
    client = api_for(town_staff)
    with django_assert_max_num_queries(8):
        response = client.get(RESIDENTS)
    assert response.status_code == 200
    assert response.data["count"] == 3
    first = response.data["results"][0]
    assert "id_number" not in first and "*" in first["id_number_masked"]
    ResidentFactory.create_batch(20, grid=tree["grid_c1"])
    with django_assert_max_num_queries(8):
        assert client.get(RESIDENTS).data["count"] == 23


def test_a_resident_outside_the_jurisdiction_is_not_found(tree, town_staff, outsider, api_for):
    resident = ResidentFactory(grid=tree["grid_v1"])
    assert api_for(outsider).get(f"{RESIDENTS}{resident.pk}/").status_code == 404
    assert api_for(outsider).patch(f"{RESIDENTS}{resident.pk}/", {"name": "x"}).status_code == 404
    assert api_for(town_staff).get(f"{RESIDENTS}{resident.pk}/").status_code == 200


def test_creating_a_resident_validates_the_id_number_and_refuses_a_duplicate(tree, town_staff, api_for):
    client = api_for(town_staff)
    data = {
        "grid": tree["grid_v1"].pk,
        "name": "新居民",
        "id_number": id_number_for(11),
        "phone": "13700001111",
    }
    created = client.post(RESIDENTS, data, format="json")
    assert created.status_code == 201, created.data
    assert created.data["id_number_masked"].endswith(id_number_for(11)[-4:])
    again = client.post(RESIDENTS, {**data, "grid": tree["grid_c1"].pk}, format="json")
    assert again.status_code == 400
    wrong = client.post(RESIDENTS, {**data, "id_number": id_number_for(12)[:17] + "0"}, format="json")
    assert wrong.status_code == 400 and "id_number" in wrong.data
    assert Resident.objects.count() == 1


def test_a_resident_cannot_be_placed_in_a_grid_outside_the_jurisdiction(tree, town_staff, api_for):
    data = {"grid": tree["grid_b1"].pk, "name": "越界", "id_number": id_number_for(13)}
    response = api_for(town_staff).post(RESIDENTS, data, format="json")
    assert response.status_code == 400 and "grid" in response.data


def test_an_exact_id_number_finds_the_resident_through_the_hash(tree, district_user, api_for):
    resident = ResidentFactory(grid=tree["grid_v1"])
    ResidentFactory(grid=tree["grid_v1"])
    response = api_for(district_user).get(RESIDENTS, {"id_number": resident.id_number})
    assert [r["id"] for r in response.data["results"]] == [resident.pk]


def test_reading_residents_needs_the_view_permission(tree, api_for):
    from accounts.models import Role
    from tests import factories

    liaison = factories.UserFactory(role=Role.DEPARTMENT_LIAISON, jurisdiction=tree["district"])
    ResidentFactory(grid=tree["grid_v1"])
    assert api_for(liaison).get(RESIDENTS).status_code == 403


def test_the_reveal_api_returns_the_full_number_to_a_permitted_user_and_records_it(
    tree, district_admin, town_staff, api_for
):
    from core.models import AuditLog

    resident = ResidentFactory(grid=tree["grid_v1"])
    body = {
        "model": "registry.Resident",
        "id": str(resident.pk),
        "field": "id_number",
        "reason": "入户核查身份",
    }
    assert api_for(town_staff).post("/api/v1/reveal/", body, format="json").status_code == 403
    response = api_for(district_admin).post("/api/v1/reveal/", body, format="json")
    assert response.status_code == 200 and response.data["value"] == resident.id_number
    assert AuditLog.objects.filter(
        action="reveal", object_id=str(resident.pk), reason="入户核查身份"
    ).exists()


def test_households_list_member_counts_without_extra_queries(
    tree, town_staff, api_for, django_assert_max_num_queries
):
    for _ in range(5):
        household = HouseholdFactory(grid=tree["grid_v1"])
        ResidentFactory.create_batch(2, grid=tree["grid_v1"], household=household)
    with django_assert_max_num_queries(8):
        response = api_for(town_staff).get("/api/v1/registry/households/")
    assert response.data["count"] == 5
    assert {h["member_count"] for h in response.data["results"]} == {2}


def test_organisations_and_houses_are_scoped(tree, town_staff, outsider, api_for):
    org = OrganisationFactory(grid=tree["grid_c1"])
    assert api_for(town_staff).get(f"/api/v1/registry/organisations/{org.pk}/").status_code == 200
    assert api_for(outsider).get(f"/api/v1/registry/organisations/{org.pk}/").status_code == 404
    created = api_for(town_staff).post(
        "/api/v1/registry/houses/",
        {
            "grid": tree["grid_c1"].pk,
            "address": "和平街1号",
            "tenants": [ResidentFactory(grid=tree["grid_c1"]).pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["is_rented"] is True


def test_the_import_endpoint_reports_bad_rows_and_imports_nothing(tree, district_user, api_for):
    book = Workbook()
    sheet = book.active
    sheet.append(["网格代码", "姓名", "身份证号"])
    sheet.append([tree["grid_v1"].code, "好", id_number_for(1)])
    sheet.append([tree["grid_v1"].code, "坏", "123"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "residents.xlsx"
    response = api_for(district_user).post(f"{RESIDENTS}import/", {"file": out}, format="multipart")
    assert response.status_code == 400
    assert [e["row"] for e in response.data["errors"]] == [3]
    assert not Resident.objects.exists()


def test_grid_figures_endpoint_names_the_source(tree, district_user, api_for):
    ResidentFactory.create_batch(2, grid=tree["grid_v1"])
    response = api_for(district_user).get("/api/v1/registry/grid-figures/", {"area": tree["district"].pk})
    rows = {r["code"]: r for r in response.data}
    assert rows[tree["grid_v1"].code]["population"] == 2
    assert rows[tree["grid_v1"].code]["population_source"] == "registry"
    assert rows[tree["grid_b1"].code]["population_source"] == "entered"


def test_organisation_and_house_lists_do_not_grow_in_queries(
    tree, town_staff, api_for, django_assert_max_num_queries
):
    from .factories import HouseFactory

    client = api_for(town_staff)
    for _ in range(10):
        OrganisationFactory(grid=tree["grid_c1"])
        house = HouseFactory(grid=tree["grid_c1"])
        house.tenants.set([ResidentFactory(grid=tree["grid_c1"])])
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/registry/organisations/").data["count"] == 10
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/registry/houses/").data["count"] == 10
