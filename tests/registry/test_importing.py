import io

import pytest
from openpyxl import Workbook, load_workbook

from core.models import AuditLog
from registry.choices import Relation
from registry.importing import COLUMNS, ImportRejected, export_residents, import_residents, read_rows
from registry.models import Household, Resident

from .factories import ResidentFactory, id_number_for

pytestmark = pytest.mark.django_db

HEADER = [zh for _en, zh in COLUMNS]


def workbook(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(grid, name, id_number, *, phone="", kind="户籍人口", household="", relation="", address="甲村1组"):
    return [grid.code, name, id_number, phone, kind, household, relation, address, "", "汉族", ""]


def test_a_good_file_creates_residents_and_their_households(tree, district_user):
    grid = tree["grid_v1"]
    content = workbook(
        row(
            grid,
            "赵一",
            id_number_for(1),
            phone="13800000001",
            household="H01",
            relation="户主",
            address="甲村1组3号",
        ),
        row(grid, "钱二", id_number_for(2), household="H01", relation="配偶"),
        row(grid, "孙三", id_number_for(3), kind="流动人口"),
    )
    result = import_residents(user=district_user, rows=read_rows(content))
    assert (result.residents_created, result.households_created, result.duplicates) == (3, 1, [])
    household = Household.objects.get(number="H01")
    assert household.head.name == "赵一" and household.address == "甲村1组3号"
    assert set(household.members.values_list("name", flat=True)) == {"赵一", "钱二"}
    assert Resident.objects.get(name="孙三").residence_type == "floating"
    assert Resident.objects.get(phone_hash__isnull=False, name="赵一").phone == "13800000001"


def test_one_bad_row_imports_nothing_and_every_bad_row_is_reported_with_its_number(tree, district_user):
    grid = tree["grid_v1"]
    bad_check_digit = id_number_for(5)[:17] + ("0" if id_number_for(5)[17] != "0" else "1")
    content = workbook(
        row(grid, "赵一", id_number_for(1)),
        row(grid, "钱二", bad_check_digit),
        row(grid, "孙三", id_number_for(3), phone="12345"),
        ["999999999999999", "李四", id_number_for(4), "", "", "", "", "", "", "", ""],
        row(grid, "周五", id_number_for(1)),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_residents(user=district_user, rows=read_rows(content))
    errors = excinfo.value.errors
    assert [e.row for e in errors] == [3, 4, 5, 6]
    assert "ID" in errors[0].message or "身份证" in errors[0].message
    assert "row 2" in errors[3].message or "第 2" in errors[3].message or "2" in errors[3].message
    assert not Resident.objects.exists() and not Household.objects.exists()


def test_a_resident_already_registered_is_reported_and_not_registered_twice(tree, district_user):
    grid = tree["grid_v1"]
    known = ResidentFactory(grid=tree["grid_b1"], name="老住户", id_number=id_number_for(9))
    content = workbook(row(grid, "新住户", id_number_for(8)), row(grid, "老住户", id_number_for(9)))
    result = import_residents(user=district_user, rows=read_rows(content))
    assert result.residents_created == 1
    assert [d.row for d in result.duplicates] == [3]
    assert "老住户" in result.duplicates[0].message
    assert Resident.objects.filter(id_number_hash=known.id_number_hash).count() == 1


def test_grids_outside_the_jurisdiction_are_refused(tree, town_staff):
    content = workbook(row(tree["grid_b1"], "外镇人", id_number_for(1)))
    with pytest.raises(ImportRejected) as excinfo:
        import_residents(user=town_staff, rows=read_rows(content))
    assert excinfo.value.errors[0].row == 2


def test_two_heads_for_one_household_are_refused(tree, district_user):
    grid = tree["grid_v1"]
    content = workbook(
        row(grid, "甲", id_number_for(1), household="H9", relation="户主"),
        row(grid, "乙", id_number_for(2), household="H9", relation=Relation.HEAD),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_residents(user=district_user, rows=read_rows(content))
    assert [e.row for e in excinfo.value.errors] == [3]


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(ImportRejected):
        read_rows(b"not a workbook")


def _exported(user, tree):
    content = export_residents(user=user, queryset=Resident.objects.visible_to(user))
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_export_is_masked_without_the_reveal_permission(tree, district_user, district_admin):
    resident = ResidentFactory(grid=tree["grid_v1"], phone="13912345678")
    masked_rows = _exported(district_user, tree)
    assert masked_rows[0][2] == resident.id_number[:4] + "*" * 10 + resident.id_number[-4:]
    assert masked_rows[0][3] == "139****5678"
    full_rows = _exported(district_admin, tree)
    assert full_rows[0][2] == resident.id_number and full_rows[0][3] == "13912345678"
    exports = AuditLog.objects.filter(action=AuditLog.Action.EXPORT).order_by("at")
    assert [e.actor for e in exports] == [district_user, district_admin]


def test_the_export_holds_only_the_users_jurisdiction(tree, town_staff):
    ResidentFactory(grid=tree["grid_v1"], name="本镇")
    ResidentFactory(grid=tree["grid_b1"], name="外镇")
    assert [r[1] for r in _exported(town_staff, tree)] == ["本镇"]
