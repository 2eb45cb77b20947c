import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.errors import ConflictError
from core.models import Notification
from core.sms import LogSmsBackend
from forces import selectors, services
from forces.choices import EmergencyLevel, EmergencyType, ForceSubtype, TaskKind
from forces.models import Activation, Mobilisation
from forces.tasks import mobilisation_sweep
from registry.services import household_create
from tests import factories

from .factories import again, make_member

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 7, 10, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def activate(area, actor, **kwargs):
    kwargs.setdefault("emergency_type", EmergencyType.FLOOD)
    kwargs.setdefault("level", EmergencyLevel.III)
    return services.activation_open(area=area, actor=actor, **kwargs)


@pytest.fixture
def sms_outbox():
    LogSmsBackend.sent.clear()
    yield LogSmsBackend.sent
    LogSmsBackend.sent.clear()


def test_an_activation_mobilises_exactly_the_emergency_members_of_its_subtree(
    tree, emergency_members, town_user
):
    make_member(tree["grid_v1"], subtype=ForceSubtype.GRID_WORKER, name="常备网格员")
    make_member(tree["grid_v1"], subtype=ForceSubtype.VOLUNTEER, name="志愿者")
    retired = make_member(tree["grid_v1"], name="已退出")
    services.member_retire(member=retired)
    linked = make_member(tree["grid_b1"], name="乙镇挂联", extra_areas=[tree["grid_v1"]])

    activation = activate(tree["town_a"], again(town_user))

    called = set(Mobilisation.objects.filter(activation=activation).values_list("member__name", flat=True))
    assert called == {"应急甲一", "应急甲二", "应急社区", linked.name}


def test_a_smaller_subtree_mobilises_only_its_own_members(tree, emergency_members, district_user):
    activation = activate(tree["village"], district_user)
    assert list(
        activation.mobilisations.values_list("member__name", flat=True).order_by("member__name")
    ) == sorted(["应急甲一", "应急甲二"])


def test_a_town_cannot_activate_for_another_town_nor_a_village_at_all(tree, town_user, village_user):
    with pytest.raises(PermissionDenied):
        activate(tree["town_b"], again(town_user))
    with pytest.raises(PermissionDenied):
        activate(tree["village"], again(village_user))
    assert not Activation.objects.exists()


def test_an_overlapping_activation_of_the_same_type_is_refused_naming_the_open_one(
    tree, district_user, town_user
):
    open_one = activate(tree["town_a"], again(town_user), title="甲镇防汛")

    with pytest.raises(ConflictError) as excinfo:
        activate(tree["district"], district_user)
    assert "甲镇防汛" in str(excinfo.value.message)
    with pytest.raises(ConflictError, match="甲镇防汛"):
        activate(tree["village"], district_user)

    assert activate(tree["town_b"], district_user).area == tree["town_b"]  # disjoint subtree
    assert activate(tree["district"], district_user, emergency_type=EmergencyType.FIRE)  # another type
    assert activate(
        tree["town_a"], district_user, is_drill=True
    ).is_drill  # drills do not block, nor are blocked
    services.activation_end(activation=open_one, actor=district_user)
    with pytest.raises(ConflictError):  # still overlapping the open 乙镇 flood
        activate(tree["district"], district_user)
    assert activate(tree["town_a"], district_user).status == "open"


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_activations_racing_each_other_open_only_one(tree, district_user):
    barrier, outcomes = threading.Barrier(2), []

    def open_for(area):
        try:
            barrier.wait()
            activate(area, district_user)
            outcomes.append("opened")
        except ConflictError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=open_for, args=(a,)) for a in (tree["district"], tree["town_a"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["opened", "refused"]
    assert Activation.objects.count() == 1


def test_notice_reminder_and_leader_alert_each_happen_once(
    tree,
    emergency_members,
    town_cadre,
    town_user,
    time_machine,
    sms_outbox,
    django_capture_on_commit_callbacks,
):
    services.grid_leader_assign(area=tree["grid_v1"], member=town_cadre)
    time_machine.move_to(T0, tick=False)
    activation = activate(tree["town_a"], again(town_user), remind_after_minutes=30, leader_after_minutes=60)
    v1, v2 = emergency_members["v1"], emergency_members["v2"]

    with django_capture_on_commit_callbacks(execute=True):
        assert mobilisation_sweep()["notices"] == 3
    assert Notification.objects.filter(recipient=v1.user, key__startswith="forces:mobilise").count() == 1
    # v1 through their account (in-app, SMS to the account's phone); the others by SMS only.
    assert sorted(p for p, _ in sms_outbox) == sorted(
        [v1.user.phone, v2.phone, emergency_members["c1"].phone]
    )

    time_machine.move_to(T0 + dt.timedelta(minutes=5))
    services.mobilisation_acknowledge(mobilisation=activation.mobilisations.get(member=v1), actor=v1.user)

    time_machine.move_to(T0 + dt.timedelta(minutes=29))
    assert mobilisation_sweep() == {"notices": 0, "reminded": 0, "leaders_told": 0}

    time_machine.move_to(T0 + dt.timedelta(minutes=31))
    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert mobilisation_sweep() == {"notices": 0, "reminded": 2, "leaders_told": 0}
    assert sorted(p for p, _ in sms_outbox) == sorted([v2.phone, emergency_members["c1"].phone])
    assert mobilisation_sweep()["reminded"] == 0

    time_machine.move_to(T0 + dt.timedelta(minutes=61))
    assert mobilisation_sweep() == {"notices": 0, "reminded": 0, "leaders_told": 2}
    assert mobilisation_sweep()["leaders_told"] == 0
    told_leader = Notification.objects.filter(recipient=town_cadre.user, key__startswith="forces:leader")
    assert told_leader.count() == 1 and "应急甲二" in told_leader.get().title
    # 甲社区 has no grid leader: the one who activated is told instead.
    assert Notification.objects.filter(recipient=town_user, key__startswith="forces:leader").count() == 1
    assert not Notification.objects.filter(recipient=v1.user, key__startswith="forces:remind").exists()


def test_no_reminders_after_the_activation_ended(tree, emergency_members, district_user, time_machine):
    time_machine.move_to(T0, tick=False)
    activation = activate(tree["town_a"], district_user)
    mobilisation_sweep()
    services.activation_end(activation=activation, actor=district_user)

    time_machine.move_to(T0 + dt.timedelta(hours=3))
    assert mobilisation_sweep() == {"notices": 0, "reminded": 0, "leaders_told": 0}


def test_acknowledging_twice_or_after_the_end_or_for_someone_else_is_refused(
    tree, emergency_members, district_user
):
    activation = activate(tree["town_a"], district_user)
    mob = activation.mobilisations.get(member=emergency_members["v1"])
    stranger = factories.UserFactory(role="grid_worker")

    with pytest.raises(PermissionDenied):
        services.mobilisation_acknowledge(mobilisation=mob, actor=stranger)
    services.mobilisation_acknowledge(mobilisation=mob, actor=emergency_members["v1"].user)
    with pytest.raises(ConflictError):
        services.mobilisation_acknowledge(mobilisation=mob, actor=emergency_members["v1"].user)

    services.activation_end(activation=activation, actor=district_user)
    with pytest.raises(ConflictError, match="ended|结束"):
        services.mobilisation_check_in(mobilisation=mob, actor=emergency_members["v1"].user)


def test_checking_in_also_acknowledges(tree, emergency_members, district_user):
    activation = activate(tree["town_a"], district_user)
    mob = activation.mobilisations.get(member=emergency_members["v2"])

    mob = services.mobilisation_check_in(mobilisation=mob, note="已到村委会", lng=106.6, lat=31.8)

    assert mob.acknowledged_at == mob.checked_in_at
    assert mob.check_in_note == "已到村委会"


def test_after_action_figures_on_a_hand_made_case(tree, district_user, time_machine):
    members = [make_member(tree["grid_v1"], name=f"队员{i}") for i in range(5)]
    time_machine.move_to(T0, tick=False)
    activation = activate(tree["village"], district_user)
    services.mobilisation_send_notices(activation=activation)
    for member, seconds in zip(members, [60, 600, 120, 180], strict=False):
        time_machine.move_to(T0 + dt.timedelta(seconds=seconds))
        services.mobilisation_acknowledge(mobilisation=activation.mobilisations.get(member=member))
    homes = [household_create(grid=tree["grid_v1"], address=f"{i}号") for i in range(4)]
    services.member_link_households(member=members[0], add=homes[:2])
    services.member_link_households(member=members[1], add=homes[1:3])
    services.member_link_households(member=members[4], add=[homes[3]])  # never acknowledges
    tasks = [
        services.task_assign(activation=activation, kind=kind, title=str(kind), assignee=members[0])
        for kind in (TaskKind.PATROL, TaskKind.PUBLICITY, TaskKind.SUPPLIES)
    ]
    services.task_done(task=tasks[0])
    services.task_done(task=tasks[2], note="已发放")

    ended = services.activation_end(activation=activation, actor=district_user)

    figures = ended.figures
    assert figures["members_called"] == 5
    assert figures["members_acknowledged"] == 4
    assert figures["share_mobilised"] == 0.8
    assert figures["ack_median_seconds"] == 150.0  # (120 + 180) / 2
    assert figures["ack_p90_seconds"] == 474.0  # 180 + 0.7 × (600 − 180)
    assert (figures["households_linked"], figures["households_covered"]) == (4, 3)
    assert figures["share_households_covered"] == 0.75
    assert (figures["tasks_total"], figures["tasks_done"]) == (3, 2)
    assert Activation.objects.get(pk=activation.pk).figures == figures
    with pytest.raises(ConflictError):
        services.activation_end(activation=activation, actor=district_user)


def test_a_drill_runs_the_same_flow_but_is_not_counted_as_an_emergency(tree, emergency_members, town_user):
    town_user = again(town_user)
    drill = activate(tree["town_a"], town_user, is_drill=True, emergency_type=EmergencyType.GEOLOGICAL)

    assert drill.mobilisations.count() == 3
    assert list(selectors.open_activations(user=town_user, area=tree["grid_v1"])) == []
    assert list(selectors.open_activations(user=town_user, include_drills=True)) == [drill]
    assert selectors.activation_counts(user=town_user) == {
        "emergencies": 0,
        "open_emergencies": 0,
        "drills": 1,
    }

    real = activate(tree["town_a"], town_user, emergency_type=EmergencyType.GEOLOGICAL)
    assert list(selectors.open_activations(user=town_user, area=tree["grid_v1"])) == [real]


def test_a_district_wide_emergency_shows_on_a_towns_banner_but_not_on_another_branch(
    tree, district_user, outsider
):
    flood = activate(tree["town_a"], district_user)
    assert list(selectors.open_activations(user=district_user, area=tree["grid_v1"])) == [flood]
    assert list(selectors.open_activations(user=again(outsider))) == []
    storm = activate(tree["district"], district_user, emergency_type=EmergencyType.OTHER)
    assert list(selectors.open_activations(user=again(outsider))) == [storm]


def test_a_members_overlapping_shifts_are_refused(tree, emergency_members, district_user):
    activation = activate(tree["town_a"], district_user)
    member = emergency_members["v1"]
    services.shift_create(
        activation=activation, member=member, starts_at=T0, ends_at=T0 + dt.timedelta(hours=8)
    )

    with pytest.raises(ValidationError, match="on duty|值守|值班"):
        services.shift_create(
            activation=activation,
            member=member,
            starts_at=T0 + dt.timedelta(hours=7),
            ends_at=T0 + dt.timedelta(hours=12),
        )
    with pytest.raises(ValidationError):
        services.shift_create(activation=activation, member=member, starts_at=T0, ends_at=T0)
    with pytest.raises(ValidationError):  # not inside the activation's area
        services.shift_create(
            activation=activation,
            member=emergency_members["b1"],
            starts_at=T0 + dt.timedelta(days=1),
            ends_at=T0 + dt.timedelta(days=1, hours=1),
        )


def test_a_task_is_done_once_by_its_assignee(tree, emergency_members, district_user):
    activation = activate(tree["town_a"], district_user)
    task = services.task_assign(
        activation=activation, kind=TaskKind.PATROL, title="河堤巡查", assignee=emergency_members["v1"]
    )
    assert Notification.objects.filter(
        recipient=emergency_members["v1"].user, key=f"forces:task:{task.pk}"
    ).exists()

    with pytest.raises(PermissionDenied):
        services.task_done(task=task, actor=factories.UserFactory(role="grid_worker"))
    services.task_done(task=task, actor=emergency_members["v1"].user)
    with pytest.raises(ConflictError):
        services.task_done(task=task, actor=emergency_members["v1"].user)


def test_a_pending_registration_is_not_mobilised(tree, district_user):
    services.member_register(
        name="待审", subtype=ForceSubtype.VOLUNTEER, area=tree["grid_v1"], phone="13700000009"
    )
    activation = activate(tree["town_a"], district_user)
    assert activation.mobilisations.count() == 0


def test_an_emergency_member_is_linked_only_to_households_where_they_serve(tree, emergency_members):
    here = household_create(grid=tree["grid_v1"], address="甲村1号")
    there = household_create(grid=tree["grid_b1"], address="乙村1号")
    member = emergency_members["v2"]

    services.member_link_households(member=member, add=[here])
    with pytest.raises(ValidationError, match="乙村1号"):
        services.member_link_households(member=member, add=[there])
    with pytest.raises(ValidationError):
        services.member_link_households(
            member=make_member(tree["grid_v1"], subtype=ForceSubtype.VOLUNTEER), add=[here]
        )

    assert list(member.households.all()) == [here]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_running_at_once_send_each_call_up_once(tree, emergency_members, district_user):
    activation = activate(tree["town_a"], district_user)
    barrier, results = threading.Barrier(2), []

    def sweep():
        try:
            barrier.wait()
            results.append(services.mobilisation_send_notices())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(results) == 3
    assert Notification.objects.filter(key__startswith="forces:mobilise").count() == 1  # v1 has an account
    assert not activation.mobilisations.filter(notified_at__isnull=True).exists()
