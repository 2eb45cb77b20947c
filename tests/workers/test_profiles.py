import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from core.errors import ConflictError
from core.pii import keyed_hash, make_id_number
from workers import services
from workers.choices import Employment, WorkerCategory, WorkerStatus
from workers.models import GridAssignment, Worker

from .factories import make_worker

pytestmark = pytest.mark.django_db


def test_age_is_computed_from_the_birth_date(tree):
    worker = make_worker(tree["grid_v1"], birth_date=dt.date(1990, 7, 1))
    assert worker.age_on(dt.date(2024, 6, 30)) == 33
    assert worker.age_on(dt.date(2024, 7, 1)) == 34
    with time_machine.travel(dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)):
        assert worker.age == 34


def test_a_village_grid_gets_a_part_time_village_worker_and_a_mismatch_is_refused(tree):
    with pytest.raises(ValidationError) as excinfo:
        make_worker(tree["grid_v1"], employment=Employment.FULL_TIME, category=WorkerCategory.URBAN_COMMUNITY)
    message = " ".join(excinfo.value.messages)
    assert "甲村第1网格" in message
    assert Worker.objects.count() == 0


def test_an_urban_community_grid_refuses_a_part_time_worker(tree):
    with pytest.raises(ValidationError, match="category|类别|兼职|专职|part-time"):
        make_worker(tree["grid_c1"], employment=Employment.PART_TIME, category=WorkerCategory.URBAN_COMMUNITY)


def test_an_id_number_with_a_wrong_check_digit_is_refused(tree):
    good = make_id_number(dt.date(1985, 6, 15), serial=7)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        make_worker(tree["grid_v1"], id_number=wrong)
    assert "id_number" in excinfo.value.message_dict
    assert Worker.objects.count() == 0


def test_an_id_number_must_match_the_birth_date_entered(tree):
    other_birthday = make_id_number(dt.date(1986, 6, 15), serial=8)
    with pytest.raises(ValidationError) as excinfo:
        make_worker(tree["grid_v1"], birth_date=dt.date(1985, 6, 15), id_number=other_birthday)
    assert "1986-06-15" in " ".join(excinfo.value.message_dict["id_number"])


def test_an_id_number_with_an_impossible_birth_date_is_refused(tree):
    first17 = "511903" + "19851340" + "123"
    from core.pii import id_check_digit

    with pytest.raises(ValidationError):
        make_worker(tree["grid_v1"], id_number=first17 + id_check_digit(first17))


def test_the_same_id_number_cannot_belong_to_two_workers(tree):
    number = make_id_number(dt.date(1985, 6, 15), serial=9)
    make_worker(tree["grid_v1"], id_number=number)
    with pytest.raises(ValidationError, match="already|已"):
        make_worker(tree["grid_b1"], id_number=number)


def test_id_and_phone_numbers_are_stored_encrypted_with_a_keyed_hash_for_look_up(tree):
    number = make_id_number(dt.date(1985, 6, 15), serial=11)
    worker = make_worker(tree["grid_v1"], id_number=number, phone="13800001111")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM workers_worker WHERE id = %s", [worker.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert number not in stored_id and "13800001111" not in stored_phone
    assert Worker.objects.get(id_number_hash=keyed_hash(number)) == worker
    assert Worker.objects.get(pk=worker.pk).id_number == number


def test_assignment_history_records_who_held_which_grid_when(tree):
    other_village_grid = tree["grid_b1"]
    worker = make_worker(tree["grid_v1"], hire_date=dt.date(2021, 3, 1))
    services.worker_assign_grid(worker=worker, grid=other_village_grid, start=dt.date(2023, 5, 1))
    history = list(GridAssignment.objects.filter(worker=worker).order_by("start"))
    assert [(h.grid, h.start, h.end) for h in history] == [
        (tree["grid_v1"], dt.date(2021, 3, 1), dt.date(2023, 4, 30)),
        (other_village_grid, dt.date(2023, 5, 1), None),
    ]
    worker.refresh_from_db()
    assert worker.grid == other_village_grid


def test_moving_a_worker_to_a_grid_of_another_type_is_refused(tree):
    worker = make_worker(tree["grid_v1"])
    with pytest.raises(ValidationError):
        services.worker_assign_grid(worker=worker, grid=tree["grid_c1"], start=dt.date(2024, 1, 1))
    assert GridAssignment.objects.filter(worker=worker, end__isnull=True).get().grid == tree["grid_v1"]


def test_moving_a_worker_to_the_grid_they_hold_is_a_conflict(tree):
    worker = make_worker(tree["grid_v1"])
    with pytest.raises(ConflictError):
        services.worker_assign_grid(worker=worker, grid=tree["grid_v1"])


def test_the_worker_sign_in_is_a_grid_worker_whose_jurisdiction_follows_the_grid(tree):
    worker = make_worker(tree["grid_v1"])
    user = services.worker_create_login(worker=worker, username="gwtest")
    assert (user.role, user.jurisdiction, user.has_usable_password()) == (
        "grid_worker",
        tree["grid_v1"],
        False,
    )
    services.worker_assign_grid(worker=worker, grid=tree["grid_b1"], start=dt.date(2030, 1, 1))
    user.refresh_from_db()
    assert user.jurisdiction == tree["grid_b1"]


def test_a_worker_who_leaves_loses_the_grid_assignment_and_the_sign_in(tree):
    worker = make_worker(tree["grid_v1"])
    user = services.worker_create_login(worker=worker, username="gwleave")
    services.worker_leave(worker=worker, on=dt.date(2030, 1, 1))
    user.refresh_from_db()
    assert worker.status == WorkerStatus.LEFT and not user.is_active
    assert not GridAssignment.objects.filter(worker=worker, end__isnull=True).exists()
    with pytest.raises(ConflictError):
        services.worker_leave(worker=worker)


def test_a_town_user_sees_the_town_s_workers_only(workers, town_user, outsider):
    assert set(Worker.objects.visible_to(town_user)) == {workers["c1"], workers["v1"]}
    assert set(Worker.objects.visible_to(outsider)) == {workers["b1"]}
