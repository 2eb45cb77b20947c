import pytest
from django.test import Client

from .factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_resident_pages_show_masked_numbers_in_chinese(tree, town_staff):
    resident = ResidentFactory(grid=tree["grid_v1"], name="张三", phone="13912345678")
    client = client_for(town_staff)
    listing = client.get("/registry/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "张三" in text and resident.id_number not in text and "139****5678" in text
    assert "身份证号" in text and "户籍人口" in text
    detail = client.get(f"/registry/residents/{resident.pk}/").content.decode()
    assert resident.id_number not in detail and "13912345678" not in detail


def test_pages_outside_the_jurisdiction_are_404(tree, outsider):
    resident = ResidentFactory(grid=tree["grid_v1"], name="甲村张三")
    household = HouseholdFactory(grid=tree["grid_v1"])
    client = client_for(outsider)
    assert client.get(f"/registry/residents/{resident.pk}/").status_code == 404
    assert client.get(f"/registry/households/{household.pk}/").status_code == 404
    assert client.get(f"/registry/?grid={tree['grid_v1'].pk}").status_code == 404
    assert "甲村张三" not in client.get("/registry/").content.decode()


def test_the_other_pages_render(tree, town_staff):
    client = client_for(town_staff)
    for url in [
        "/registry/households/",
        "/registry/houses/?rented=1",
        "/registry/organisations/",
        "/registry/figures/",
        "/registry/import/",
    ]:
        assert client.get(url).status_code == 200, url
    assert client.get("/registry/import/template.xlsx").status_code == 200
    assert client.get("/registry/export.xlsx").status_code == 200


def test_the_admin_lists_residents_masked_and_scoped(tree, town_staff):
    mine = ResidentFactory(grid=tree["grid_v1"], name="本镇居民")
    ResidentFactory(grid=tree["grid_b1"], name="外镇居民")
    client = client_for(town_staff)
    page = client.get("/admin/registry/resident/").content.decode()
    assert "本镇居民" in page and "外镇居民" not in page and mine.id_number not in page
    change = client.get(f"/admin/registry/resident/{mine.pk}/change/")
    assert change.status_code == 200 and mine.id_number not in change.content.decode()


def test_a_grid_worker_records_a_resident_from_the_phone_form_and_a_bad_id_is_refused(tree, town_staff):
    from registry.models import Resident

    from .factories import id_number_for

    client = client_for(town_staff)
    assert client.get("/registry/residents/new/").status_code == 200
    base = {"grid": tree["grid_v1"].pk, "name": "新登记", "residence_type": "registered", "status": "active"}
    bad = client.post("/registry/residents/new/", {**base, "id_number": id_number_for(3)[:17] + "0"})
    assert bad.status_code == 200 and not Resident.objects.exists()
    good = client.post(
        "/registry/residents/new/", {**base, "id_number": id_number_for(3), "phone": "13611112222"}
    )
    assert good.status_code == 302
    resident = Resident.objects.get()
    edit = client.get(f"/registry/residents/{resident.pk}/edit/").content.decode()
    assert resident.id_number not in edit and "13611112222" not in edit
    kept = client.post(f"/registry/residents/{resident.pk}/edit/", {**base, "name": "改名", "id_number": ""})
    assert kept.status_code == 302
    resident.refresh_from_db()
    assert (resident.name, resident.id_number) == ("改名", id_number_for(3))


def test_the_edit_page_of_a_resident_outside_the_jurisdiction_is_404(tree, outsider):
    resident = ResidentFactory(grid=tree["grid_v1"])
    assert client_for(outsider).get(f"/registry/residents/{resident.pk}/edit/").status_code == 404


def test_the_admin_import_reports_bad_rows_and_the_export_action_is_masked(tree, district_user):
    import io

    from openpyxl import Workbook, load_workbook

    from registry.models import Resident

    from .factories import id_number_for

    client = client_for(district_user)
    book = Workbook()
    book.active.append(["网格代码", "姓名", "身份证号"])
    book.active.append([tree["grid_v1"].code, "好", id_number_for(1)])
    book.active.append([tree["grid_v1"].code, "坏", "123"])
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "residents.xlsx"
    page = client.post("/admin/registry/resident/import/", {"file": upload})
    assert page.status_code == 200 and not Resident.objects.exists()
    assert [e.row for e in page.context["errors"]] == [3]

    resident = ResidentFactory(grid=tree["grid_v1"])
    exported = client.post(
        "/admin/registry/resident/", {"action": "export_selected", "_selected_action": [resident.pk]}
    )
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    row = [c.value for c in sheet[2]]
    assert row[1] == resident.name and row[2] != resident.id_number and "*" in row[2]
