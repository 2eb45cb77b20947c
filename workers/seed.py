"""The 385 grid workers of DOMAIN §2, one per level-1 grid, with the workforce structure the report gives.

The structure is exact: gender 173/212, party members 209/176, education 93/182/110, ages 27/167/191 as of
REFERENCE_DATE, certificates 24 junior and 1 intermediate, categories 83/93/209 (from the grid types).
Attributes are dealt from shuffled lists with a fixed random seed, so every run gives the same workers and
a second run creates nothing. Names, ID numbers and phones are fictitious.
"""

import datetime as dt
import random
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Role, User
from core.pii import make_id_number, validate_id_number
from grids.choices import AreaKind
from grids.models import Area
from grids.seed import DISTRICT_CODE

from .choices import AgeBand, CertificateLevel, Education, Gender, PoliticalStatus, WorkerStatus
from .models import GridAssignment, Worker
from .services import GRID_TYPE_WORKER

# Ages in the structure report are counted on this day: the seed's figures hold for it whatever today is.
REFERENCE_DATE = dt.date(2024, 1, 1)
WORKER_COUNT = 385
DEMO_USERNAME = "worker_demo"

STRUCTURE = {
    "gender": [(Gender.MALE, 173), (Gender.FEMALE, 212)],
    "political_status": [(PoliticalStatus.PARTY_MEMBER, 209), (PoliticalStatus.NON_MEMBER, 176)],
    "education": [
        (Education.JUNIOR_MIDDLE, 93),
        (Education.SENIOR_VOCATIONAL, 182),
        (Education.COLLEGE, 110),
    ],
    "age_band": [(AgeBand.UP_TO_30, 27), (AgeBand.FROM_31_TO_40, 167), (AgeBand.FROM_41, 191)],
    "certificate_level": [
        (CertificateLevel.JUNIOR, 24),
        (CertificateLevel.INTERMEDIATE, 1),
        (CertificateLevel.NONE, 360),
    ],
}
AGE_RANGES = {AgeBand.UP_TO_30: (22, 30), AgeBand.FROM_31_TO_40: (31, 40), AgeBand.FROM_41: (41, 56)}

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆峰建国志文"
_FEMALE = "芳娜敏静丽艳娟霞秀英华慧巧美玲桂兰琴云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼"


def _dealt(rng: random.Random, spec: list[tuple[str, int]]) -> list[str]:
    values = [value for value, count in spec for _ in range(count)]
    rng.shuffle(values)
    return values


def _name(rng: random.Random, male: bool) -> str:
    given = _MALE if male else _FEMALE
    return rng.choice(_SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))


def plan() -> list[dict]:
    """The 385 worker profiles, in the order of the grid codes."""
    rng = random.Random(385_511903)
    dealt = {key: _dealt(rng, spec) for key, spec in STRUCTURE.items()}
    profiles = []
    for i in range(WORKER_COUNT):
        male = dealt["gender"][i] == Gender.MALE
        low, high = AGE_RANGES[dealt["age_band"][i]]
        age = rng.randint(low, high)
        # Born 1–364 days before the anniversary: exactly `age` years old on REFERENCE_DATE.
        birth = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age) - dt.timedelta(
            days=rng.randint(1, 364)
        )
        hire = dt.date(rng.randint(2012, 2023), rng.randint(1, 12), 1)
        profiles.append(
            {
                "name": _name(rng, male),
                "gender": dealt["gender"][i],
                "birth_date": birth,
                "political_status": dealt["political_status"][i],
                "education": dealt["education"][i],
                "certificate_level": dealt["certificate_level"][i],
                # The 17th digit of an ID number is odd for men and even for women.
                "id_number": make_id_number(birth, region=DISTRICT_CODE, serial=i * 2 + (1 if male else 0)),
                "phone": f"1{rng.choice('3589')}{rng.randint(0, 9)}{i:04d}{rng.randint(0, 9999):04d}",
                "hire_date": max(hire, birth.replace(year=birth.year + 20)),
            }
        )
    return profiles


def _demo_password() -> str:
    password_file = settings.VAR_DIR / "worker-demo-password.txt"
    if password_file.exists():
        return password_file.read_text().strip()
    password = "Gw-" + secrets.token_urlsafe(12)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    return password


@transaction.atomic
def seed(stdout=None) -> int:
    """Create the workers of the grids that have none yet, each with a sign-in. Returns the number created."""
    district = Area.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        return 0
    grids = list(
        district.get_descendants()
        .filter(kind=AreaKind.GRID_L1, code__startswith=DISTRICT_CODE)
        .order_by("code")
    )[:WORKER_COUNT]
    staffed = set(Worker.objects.filter(grid__in=grids).values_list("grid_id", flat=True))
    todo = [
        (i, grid, profile)
        for i, (grid, profile) in enumerate(zip(grids, plan(), strict=False))
        if grid.pk not in staffed
    ]
    if not todo:
        if stdout:
            stdout.write("workers: nothing to create")
        _seed_activity(stdout)
        return 0

    demo_password = None
    users = []
    for i, grid, profile in todo:
        username = DEMO_USERNAME if i == 0 else f"gw{grid.code}"
        user = User.objects.filter(username=username).first() or User(
            username=username, role=Role.GRID_WORKER, jurisdiction=grid, display_name=profile["name"]
        )
        if user.pk is None:
            if i == 0:
                demo_password = _demo_password()
                user.set_password(demo_password)
            else:
                user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create([u for u in users if u.pk is None], batch_size=500)
    group, _ = Group.objects.get_or_create(name=f"role:{Role.GRID_WORKER}")
    group.user_set.add(*users)

    workers = []
    for (_i, grid, profile), user in zip(todo, users, strict=True):
        validate_id_number(profile["id_number"])
        employment, category = GRID_TYPE_WORKER[grid.grid_type]
        workers.append(
            Worker(
                user=user if not hasattr(user, "worker") else None,
                grid=grid,
                employment=employment,
                category=category,
                status=WorkerStatus.ACTIVE,
                **profile,
            )
        )
    Worker.objects.bulk_create(workers, batch_size=500)
    GridAssignment.objects.bulk_create(
        [GridAssignment(worker=w, grid=w.grid, start=w.hire_date) for w in workers], batch_size=500
    )
    if stdout:
        stdout.write(f"workers: {len(workers)} grid worker(s) created, ages counted on {REFERENCE_DATE}")
        if demo_password:
            stdout.write(f"Demo grid worker: {DEMO_USERNAME} / {demo_password}")
    _seed_activity(stdout)
    return len(workers)


# --- demo activity: the admission list, assignments (a few overloaded workers), training, duty logs ------

DEMO_ITEMS = [
    # department code, title, duty number, minutes, frequency, temporary
    ("police", "出租房屋和流动人口信息核查", 2, 60, "weekly", False),
    ("fire", "九小场所消防安全巡查", 2, 45, "weekly", False),
    ("civil_affairs", "独居老人和困难群众走访", 8, 30, "weekly", False),
    ("justice", "矛盾纠纷排查化解", 6, 90, "weekly", False),
    ("market", "食品安全法规宣传", 7, 60, "monthly", False),
    ("environment", "秸秆禁烧巡查", 2, 60, "daily", True),
]


def _seed_activity(stdout=None) -> int:
    from django.utils import timezone

    from accounts.models import Department

    from . import services
    from .choices import TrainingResult, TrainingTopic
    from .models import AdmissionItem, Certificate, Duty, DutyLog, TrainingAttendance

    if AdmissionItem.objects.filter(title=DEMO_ITEMS[0][1]).exists():
        return 0
    departments = {d.code: d for d in Department.objects.all()}
    if not departments:
        return 0
    actor = User.objects.filter(username="district_staff").first()
    today = timezone.localdate()
    week = today - dt.timedelta(days=today.weekday())
    duties = {d.number: d for d in Duty.objects.select_related("role")}
    items = []
    for code, title, number, minutes, frequency, temporary in DEMO_ITEMS:
        department = departments.get(code) or next(iter(departments.values()))
        item = services.admission_item_propose(
            department=department,
            title=title,
            role=duties[number].role,
            duty=duties[number],
            minutes_per_occurrence=minutes,
            frequency=frequency,
            valid_from=week if temporary else today - dt.timedelta(days=60),
            valid_until=today + dt.timedelta(days=5) if temporary else None,
            is_temporary=temporary,
            actor=actor,
        )
        services.admission_item_approve(item=item, actor=actor)
        items.append(services.admission_item_publish(item=item, actor=actor))
    services.admission_item_propose(
        department=departments.get("housing") or next(iter(departments.values())),
        title="农房安全隐患排查（待审批）",
        role=duties[2].role,
        duty=duties[2],
        minutes_per_occurrence=120,
        frequency="monthly",
        valid_from=today,
        actor=actor,
    )
    # The first town's workers carry the list; two village workers end up above the part-time cap.
    town_workers = list(
        Worker.objects.filter(grid__code__startswith=f"{DISTRICT_CODE}001").order_by("grid__code")
    )
    count = 0
    for n, worker in enumerate(town_workers[:24]):
        for item in items[: 2 + n % 3]:
            services.task_assign(item=item, worker=worker, actor=actor, start_date=week)
            count += 1
    village_workers = [w for w in town_workers if w.employment == "part_time"][:2]
    if actor is not None and actor.has_perm("workers.override_workload"):
        for worker in village_workers:
            for item in items:
                if not worker.task_assignments.filter(item=item).exists():
                    services.task_assign(
                        item=item,
                        worker=worker,
                        actor=actor,
                        start_date=week,
                        override_reason="秸秆禁烧期临时加派",
                    )
                    count += 1

    session = services.training_session_create(
        topic=TrainingTopic.EVENT_REPORTING,
        title="网格事件采集上报业务培训",
        held_on=today - dt.timedelta(days=30),
        area=Area.objects.get(code=DISTRICT_CODE),
        organiser="区网格化服务管理中心",
    )
    visits = services.training_session_create(
        topic=TrainingTopic.SPECIAL_GROUP_VISITS,
        title="特殊人群走访服务培训",
        held_on=today - dt.timedelta(days=12),
        area=Area.objects.get(code=DISTRICT_CODE),
        organiser="区司法局",
    )
    rows = []
    for n, worker in enumerate(Worker.objects.order_by("grid__code")[:120]):
        attended = n % 7 != 0
        rows.append(
            TrainingAttendance(
                session=session,
                worker=worker,
                attended=attended,
                result=TrainingResult.PASSED if attended else TrainingResult.PENDING,
                score=80 + n % 20 if attended else None,
            )
        )
        rows.append(TrainingAttendance(session=visits, worker=worker, attended=n % 5 != 0))
    TrainingAttendance.objects.bulk_create(rows)
    Certificate.objects.bulk_create(
        Certificate(
            worker=w,
            level=w.certificate_level,
            issued_on=dt.date(2022, 11, 20),
            issuer="人力资源和社会保障部",
        )
        for w in Worker.objects.exclude(certificate_level="none")
    )

    # A month of duty logs for the first town, a few a week per worker, spread over the eight duties.
    rng = random.Random(20240101)
    now = timezone.now()
    logs = []
    for worker in town_workers:
        for _ in range(rng.randint(6, 14)):
            duty = duties[rng.choice([1, 1, 2, 3, 5, 6, 7, 8, 8])]
            logs.append(
                DutyLog(
                    worker=worker,
                    duty=duty,
                    role=duty.role,
                    grid=worker.grid,
                    occurred_at=now - dt.timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 10)),
                    place=f"{worker.grid.name}",
                    note="示例履职记录",
                )
            )
    DutyLog.objects.bulk_create(logs)
    if stdout:
        stdout.write(
            f"workers: demo admission list ({len(items) + 1} items), {count} assignments, 2 training sessions, "
            f"{len(logs)} duty logs"
        )
    return count
