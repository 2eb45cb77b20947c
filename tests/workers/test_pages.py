import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from core.models import AuditLog
from core.pii import make_id_number
from workers import services
from workers.models import Duty, DutyLog, Worker

from .factories import make_item

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def full_values(worker):
    return [worker.id_number, worker.phone]


def test_the_worker_list_page_shows_masked_numbers_and_only_the_user_s_town(town_user, workers):
    response = client_for(town_user).get("/workers/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "李四" in content and "张三" in content and "王五" not in content
    for value in full_values(workers["v1"]):
        assert value not in content
    assert workers["v1"].id_number[:4] + "**********" + workers["v1"].id_number[-4:] in content


def test_another_town_s_worker_page_is_a_404(outsider, workers):
    client = client_for(outsider)
    assert client.get(f"/workers/{workers['v1'].pk}/").status_code == 404
    assert client.get(f"/workers/{workers['b1'].pk}/").status_code == 200


def test_the_profile_page_masks_and_offers_a_reveal_that_is_recorded(district_admin, town_user, workers):
    worker = workers["v1"]
    page = client_for(town_user).get(f"/workers/{worker.pk}/").content.decode()
    assert worker.id_number not in page and "/reveal/" not in page
    reveal_url = f"/reveal/workers.Worker/{worker.pk}/id_number/"
    assert client_for(town_user).post(reveal_url, {"reason": "核对身份"}).status_code == 403

    admin_client = client_for(district_admin)
    page = admin_client.get(f"/workers/{worker.pk}/").content.decode()
    assert worker.id_number not in page and reveal_url in page
    response = admin_client.post(reveal_url, {"reason": "核对补贴发放身份"})
    assert worker.id_number in response.content.decode()
    entry = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert (entry.actor, entry.object_type, entry.field, entry.reason) == (
        district_admin,
        "workers.Worker",
        "id_number",
        "核对补贴发放身份",
    )


def test_the_admin_list_and_form_never_show_the_numbers(district_admin, workers):
    district_admin.is_superuser = True
    district_admin.save()
    client = client_for(district_admin)
    worker = workers["v1"]
    listing = client.get("/admin/workers/worker/").content.decode()
    change = client.get(f"/admin/workers/worker/{worker.pk}/change/").content.decode()
    for value in full_values(worker):
        assert value not in listing and value not in change
    assert worker.id_number[-4:] in listing


def test_the_admin_list_is_scoped(town_user, outsider, workers):
    listing = client_for(town_user).get("/admin/workers/worker/").content.decode()
    assert "李四" in listing and "王五" not in listing
    assert client_for(outsider).get(f"/admin/workers/worker/{workers['v1'].pk}/change/").status_code in (
        302,
        404,
    )


def test_the_excel_export_is_masked_without_the_permission(town_user, workers):
    response = client_for(town_user).get("/workers/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "李四" in cells and "王五" not in cells
    for value in full_values(workers["v1"]):
        assert value not in cells
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_the_excel_export_is_full_for_a_user_who_may_reveal_and_is_recorded(district_admin, workers):
    response = client_for(district_admin).get("/workers/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert workers["v1"].id_number in cells
    assert AuditLog.objects.get(action=AuditLog.Action.EXPORT).actor == district_admin


def test_the_structure_page_and_excel_for_a_subtree(town_user, workers, tree):
    page = client_for(town_user).get("/workers/structure/").content.decode()
    assert "50.00" in page  # 甲镇: one urban-community and one village worker
    response = client_for(town_user).get(f"/workers/structure.xlsx?area={tree['town_a'].pk}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0]]
    village_row = next(r for r in rows if r[0] in ("village worker", "农村兼职网格员"))
    assert village_row[1:3] == (1, 50.0)
    assert client_for(town_user).get(f"/workers/structure/?area={tree['town_b'].pk}").status_code == 404


def test_the_phone_page_records_the_worker_s_own_duty_log(workers, town_user):
    user = services.worker_create_login(worker=workers["v1"], username="gwv1")
    client = client_for(user)
    page = client.get("/workers/log/").content.decode()
    assert 'name="viewport"' in page and "max-width: 375px" in page
    duty = Duty.objects.get(number=5)
    response = client.post("/workers/log/", {"duty": duty.pk, "place": "3组", "note": "走访社区矫正对象"})
    assert response.status_code == 302
    log = DutyLog.objects.get()
    assert (log.worker, log.duty, log.role.code, log.recorded_by) == (workers["v1"], duty, "service", user)
    assert client_for(town_user).get("/workers/log/").status_code == 404


def test_duty_log_lists_per_worker_per_grid_and_the_monthly_summary(workers, town_user, tree):
    services.duty_log_create(worker=workers["v1"], duty=Duty.objects.get(number=6), place="村委会")
    services.duty_log_create(worker=workers["c1"], duty=Duty.objects.get(number=1))
    client = client_for(town_user)
    per_worker = client.get(f"/workers/logs/?worker={workers['v1'].pk}").content.decode()
    assert "村委会" in per_worker and "张三" not in per_worker
    per_grid = client.get(f"/workers/logs/?grid={tree['grid_c1'].pk}").content.decode()
    assert "张三" in per_grid and "村委会" not in per_grid
    assert client.get(f"/workers/logs/?worker={workers['b1'].pk}").status_code == 404
    assert client.get("/workers/logs/summary/").status_code == 200


def test_the_workload_page_lists_overloaded_workers(district_user, workers):
    monday = dt.date(2025, 3, 17)
    services.task_assign(
        item=make_item(minutes=470), worker=workers["v1"], actor=district_user, start_date=monday
    )
    services.task_assign(
        item=make_item(minutes=60),
        worker=workers["v1"],
        actor=district_user,
        start_date=monday,
        override_reason="汛期",
    )
    page = client_for(district_user).get(f"/workers/workload/?week={monday}").content.decode()
    assert "李四" in page and "530" in page
    assert client_for(district_user).get("/workers/admission/").status_code == 200
    assert client_for(district_user).get("/workers/training/").status_code == 200


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "workers.xlsx"
    return out


HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "政治面貌",
    "学历",
    "手机号码",
    "身份证号码",
    "专兼职",
    "类别",
    "网格代码",
]


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_row(town_user, tree):
    good = make_id_number(dt.date(1988, 5, 6), serial=21)
    bad = make_id_number(dt.date(1989, 5, 6), serial=22)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    upload = _xlsx(
        [
            HEADER,
            [
                "周一",
                "男",
                "1988-05-06",
                "中共党员",
                "大专",
                "13900000001",
                good,
                "兼职",
                "村",
                tree["grid_v1"].code,
            ],
            [
                "吴二",
                "女",
                "1989-05-06",
                "群众",
                "高中",
                "13900000002",
                bad,
                "兼职",
                "村",
                tree["grid_v1"].code,
            ],
        ]
    )
    response = client_for(town_user).post("/workers/import/", {"file": upload})
    content = response.content.decode()
    assert response.status_code == 200
    assert Worker.objects.count() == 0
    assert re.search(r"row 3|第\s*3\s*行", content)
    assert "check digit" in content or "校验" in content
    assert not re.search(r"row 2|第\s*2\s*行", content)


def test_an_import_refuses_a_grid_outside_the_jurisdiction_and_a_category_mismatch(town_user, tree):
    a = make_id_number(dt.date(1988, 5, 6), serial=31)
    b = make_id_number(dt.date(1988, 5, 6), serial=33)
    upload = _xlsx(
        [
            HEADER,
            [
                "周一",
                "男",
                "1988-05-06",
                "中共党员",
                "大专",
                "13900000001",
                a,
                "专职",
                "城市社区",
                tree["grid_v1"].code,
            ],
            [
                "吴二",
                "男",
                "1988-05-06",
                "群众",
                "高中",
                "13900000002",
                b,
                "兼职",
                "村",
                tree["grid_b1"].code,
            ],
        ]
    )
    from grids.importing import ImportRejected
    from workers.importing import import_workers, read_rows

    with pytest.raises(ImportRejected) as excinfo:
        import_workers(read_rows(upload.read(), "w.xlsx"), actor=town_user)
    assert [e.row for e in excinfo.value.errors] == [2, 3]
    assert Worker.objects.count() == 0


def test_a_clean_import_creates_every_worker(town_user, tree):
    rows = [HEADER]
    for i in range(3):
        birth = dt.date(1980 + i, 1, 2)
        rows.append(
            [
                f"工{i}",
                "女",
                birth,
                "群众",
                "初中",
                f"1390000000{i}",
                make_id_number(birth, serial=40 + i),
                "兼职",
                "村",
                tree["grid_v1"].code,
            ]
        )
    response = client_for(town_user).post("/workers/import/", {"file": _xlsx(rows)})
    assert response.status_code == 302
    assert Worker.objects.filter(grid=tree["grid_v1"]).count() == 3


def test_the_admin_actions_approve_and_publish_through_the_service_and_revoke_needs_a_reason(district_admin):
    from workers.choices import AdmissionStatus
    from workers.models import AdmissionItem

    district_admin.is_superuser = True
    district_admin.save()
    client = client_for(district_admin)
    item = make_item(status=AdmissionStatus.PROPOSED)
    changelist = "/admin/workers/admissionitem/"
    client.post(changelist, {"action": "publish", "_selected_action": [item.pk]})
    assert AdmissionItem.objects.get(pk=item.pk).status == "proposed"  # refused: not approved yet
    client.post(changelist, {"action": "approve", "_selected_action": [item.pk]})
    client.post(changelist, {"action": "publish", "_selected_action": [item.pk]})
    assert AdmissionItem.objects.get(pk=item.pk).status == "published"
    assert (
        f"/admin/workers/admissionitem/{item.pk}/revoke/"
        in client.get(f"{changelist}{item.pk}/change/").content.decode()
    )
    client.post(f"{changelist}{item.pk}/revoke/", {"reason": "部门职能调整"})
    item.refresh_from_db()
    assert item.status == "revoked" and item.events.last().note == "部门职能调整"


def test_adding_a_worker_in_the_admin_validates_through_the_service(district_admin, tree):
    district_admin.is_superuser = True
    district_admin.save()
    client = client_for(district_admin)
    data = {
        "name": "钱七",
        "gender": "female",
        "birth_date": "1987-09-10",
        "political_status": "non_member",
        "education": "college",
        "phone": "13700001234",
        "id_number": make_id_number(dt.date(1987, 9, 10), serial=50),
        "employment": "full_time",
        "category": "urban_community",
        "grid": tree["grid_v1"].pk,
        "certificate_level": "none",
        "status": "active",
        "grid_assignments-TOTAL_FORMS": "0",
        "grid_assignments-INITIAL_FORMS": "0",
        "certificates-TOTAL_FORMS": "0",
        "certificates-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/workers/worker/add/", data)
    assert response.status_code == 200 and Worker.objects.count() == 0
    assert "甲村第1网格" in response.content.decode()
    data.update(employment="part_time", category="village")
    response = client.post("/admin/workers/worker/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    worker = Worker.objects.get()
    assert worker.grid_assignments.get().grid == tree["grid_v1"]
    assert worker.id_number == data["id_number"]


def test_list_pages_need_the_same_number_of_queries_for_few_or_many_rows(district_user, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import make_worker

    client = client_for(district_user)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    first = make_worker(tree["grid_v1"])
    services.duty_log_create(worker=first, duty=Duty.objects.get(number=1))
    few = (queries("/workers/"), queries("/workers/logs/"))
    for _ in range(10):
        worker = make_worker(tree["grid_v1"])
        services.duty_log_create(worker=worker, duty=Duty.objects.get(number=2))
    assert (queries("/workers/"), queries("/workers/logs/")) == few


def test_the_admin_search_finds_a_worker_by_exact_id_number(town_user, workers):
    listing = (
        client_for(town_user).get("/admin/workers/worker/", {"q": workers["v1"].id_number}).content.decode()
    )
    assert "李四" in listing and "张三" not in listing
