import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from grids.importing import ImportRejected, import_areas, read_rows
from grids.models import Area

pytestmark = pytest.mark.django_db

GOOD = """code,name,kind,parent_code,urban_rural_class
511903100000,明阳镇,town,511903,
511903100001,明阳社区,community,511903100000,121
511903100201,白鹤村,village,511903100000,220
511903100201001,白鹤村第1网格,grid_l1,511903100201,
"""


def test_a_good_file_imports_every_row(tree):
    # `tree` already has 511903100000 (甲镇) and 511903100001 (甲社区): they are renamed, the rest created.
    result = import_areas(read_rows(GOOD.encode(), "areas.csv"))
    assert result == {"created": 2, "updated": 2}
    assert Area.objects.get(code="511903100001").name == "明阳社区"
    assert Area.objects.get(code="511903100000").name == "明阳镇"
    grid = Area.objects.get(code="511903100201001")
    assert grid.parent.code == "511903100201" and grid.grid_type == "village"


def test_one_bad_row_imports_nothing_and_names_the_row(tree):
    bad = GOOD.replace(
        "511903100201,白鹤村,village", "511903100050,白鹤村,village"
    )  # 050 is a community number
    before = list(Area.objects.values_list("code", "name"))
    with pytest.raises(ImportRejected) as excinfo:
        import_areas(read_rows(bad.encode(), "areas.csv"))
    messages = [str(e) for e in excinfo.value.errors]
    assert [e.row for e in excinfo.value.errors][0] == 4
    assert any("4" in m for m in messages)
    assert list(Area.objects.values_list("code", "name")) == before


def test_every_bad_row_is_reported(tree):
    bad = "code,name,kind,parent_code\n511903100999,x,village,511903999000\n1,,town,511903\n511903100201,y,planet,511903100000\n"
    with pytest.raises(ImportRejected) as excinfo:
        import_areas(read_rows(bad.encode(), "areas.csv"))
    assert [e.row for e in excinfo.value.errors] == [2, 3, 4]


def test_excel_files_with_chinese_headers_are_read(tree):
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "类型", "上级代码", "城乡分类"])
    ws.append(["511903100202", "石桥村", "村", "511903100000", "220"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert import_areas(read_rows(buffer.getvalue(), "areas.xlsx")) == {"created": 1, "updated": 0}


def test_the_command_reports_rows_and_exits_non_zero(tree, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name,kind,parent_code\n511903100203,z,village,511903888000\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("import_areas", str(path))
    assert not Area.objects.filter(code="511903100203").exists()


def test_admin_import_shows_every_bad_row_and_imports_nothing(client, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from accounts.models import Role
    from tests.factories import UserFactory

    admin_user = UserFactory(role=Role.DISTRICT_ADMIN, jurisdiction=tree["district"])
    client.force_login(admin_user)
    bad = "code,name,kind,parent_code\n511903100204,好村,village,511903100000\n511903100205,坏村,village,511903777000\n"
    upload = SimpleUploadedFile("areas.csv", bad.encode(), content_type="text/csv")
    response = client.post(reverse("admin:grids_area_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行" in html or "row 3" in html
    assert not Area.objects.filter(code="511903100204").exists()
