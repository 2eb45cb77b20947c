"""Demo base information for a few grids at realistic scale (about 10,000 residents), with special-group and
care-group members and their visit histories, so that visits due and overdue show (DOMAIN §8).

Everything is generated from a fixed random seed per grid; a grid that already holds demo residents is left
alone, so a second run creates nothing. Names, ID numbers and phones are fictitious. Rows are written with
bulk_create, which still encrypts (EncryptedCharField.get_prep_value) and fills the keyed hashes
(BlindIndexField.pre_save runs in the insert compiler): values are given in plain text here, never
pre-encrypted, or they would be encrypted twice. The seed test checks that they read back.
"""

import datetime as dt
import random
import time

from django.db import transaction
from django.utils import timezone

from core.pii import id_check_digit, keyed_hash
from grids.choices import AreaKind, GridType
from grids.models import Area
from grids.seed import DISTRICT_CODE

from . import conf
from .choices import (
    BuildingKind,
    Gender,
    GroupType,
    OrganisationKind,
    Relation,
    ResidenceType,
    ResidentStatus,
    VisitMethod,
    group_category,
)
from .models import Building, GroupMembership, House, Household, Organisation, Resident, Visit

# (grid type, which one of that type in code order, people) — about 10,000 in all.
PLAN = [
    (GridType.URBAN_COMMUNITY, 0, 2400),
    (GridType.URBAN_COMMUNITY, 1, 2000),
    (GridType.RURAL_COMMUNITY, 0, 1800),
    (GridType.VILLAGE, 0, 2000),
    (GridType.VILLAGE, 1, 1800),
]
FLOATING_SHARE = 0.08
GROUP_SHARE = 0.015  # about 150 special/care-group members among 10,000 residents
MAX_VISITS_PER_MEMBER = 24

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建华志强淑珍丹婷雪梅文亮海燕俊峰晓东鑫宇浩然子涵欣怡梓萱一诺宇轩雨桐佳怡子轩思远晨曦"
FLOATING_REGIONS = ["511902", "511921", "511922", "511923", "510107", "500103", "510802", "511303"]
GROUP_WEIGHTS = [
    (GroupType.RELEASED_PRISONER, 10),
    (GroupType.COMMUNITY_CORRECTION, 8),
    (GroupType.DRUG_USER, 6),
    (GroupType.VAGRANT, 2),
    (GroupType.SEVERE_MENTAL_DISORDER, 10),
    (GroupType.HARDSHIP, 20),
    (GroupType.ELDERLY_ALONE, 25),
    (GroupType.SICK_WEAK, 12),
    (GroupType.AT_RISK_YOUTH, 7),
]
HOUSEHOLD_SIZES = [(1, 15), (2, 25), (3, 25), (4, 20), (5, 10), (6, 5)]


class IdNumbers:
    """Distinct valid ID numbers: a birth date and a serial whose last digit is odd for men, even for women."""

    def __init__(self, taken_hashes: set[str]):
        self.rng = random.Random("registry:id-numbers")
        self.used: set[str] = set()
        self.taken = taken_hashes

    def make(self, birth: dt.date, gender: str, region: str) -> str:
        while True:
            serial = self.rng.randrange(0, 100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if gender == Gender.MALE else (0, 2, 4, 6, 8)
            )
            first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used and keyed_hash(number) not in self.taken:
                self.used.add(number)
                return number


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _birth(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    age_days = rng.randint(low * 365, high * 365 + 364)
    return today - dt.timedelta(days=age_days)


def _phone(rng: random.Random) -> str:
    return (
        rng.choice(["138", "139", "150", "151", "158", "177", "182", "187", "199"])
        + f"{rng.randrange(10**8):08d}"
    )


def _resident(grid, rng, ids, today, *, gender, low, high, region="511903", **fields) -> Resident:
    birth = _birth(rng, today, low, high)
    id_number = ids.make(birth, gender, region)
    phone = _phone(rng) if today.year - birth.year >= 16 and rng.random() < 0.85 else ""
    return Resident(
        grid=grid,
        name=_name(rng),
        gender=gender,
        birth_date=birth,
        id_number=id_number,
        phone=phone,
        status=ResidentStatus.ACTIVE,
        is_demo=True,
        **fields,
    )


def chosen_grids() -> list[Area]:
    grids = []
    district = Area.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        return grids
    for grid_type, index, _people in PLAN:
        candidates = list(
            Area.objects.filter(
                kind=AreaKind.GRID_L1, grid_type=grid_type, is_active=True, code__startswith=DISTRICT_CODE
            )
            .order_by("code")
            .values_list("pk", flat=True)[: index + 1]
        )
        grids.append(Area.objects.get(pk=candidates[index]) if len(candidates) > index else None)
    return grids


def _seed_grid(grid: Area, people: int, today: dt.date, ids: IdNumbers) -> dict[str, int]:
    rng = random.Random(f"registry:{grid.code}")
    urban = grid.grid_type == GridType.URBAN_COMMUNITY
    counts = {"residents": 0, "households": 0, "houses": 0, "organisations": 0}

    # Places: urban grids have residential buildings of flats; rural grids have one dwelling per household.
    buildings: list[Building] = []
    if urban:
        for b in range(max(1, people // 90)):
            buildings.append(
                Building(
                    grid=grid,
                    name=f"{b // 12 + 1}号小区{b % 12 + 1}栋",
                    address=f"{grid.parent.name}{b // 12 + 1}号小区{b % 12 + 1}栋",
                    kind=BuildingKind.RESIDENTIAL,
                    floors=rng.choice([6, 7, 11, 18, 26]),
                    is_demo=True,
                )
            )
        Building.objects.bulk_create(buildings)

    registered = int(people * (1 - FLOATING_SHARE))
    households: list[Household] = []
    houses: list[House] = []
    members: list[list[Resident]] = []
    made = 0
    while made < registered:
        size = min(_weighted(rng, HOUSEHOLD_SIZES), registered - made)
        n = len(households) + 1
        if urban:
            building = buildings[n % len(buildings)]
            address = f"{building.address}{rng.randint(1, 3)}单元{rng.randint(1, building.floors)}0{rng.randint(1, 4)}"
        else:
            building = None
            address = f"{grid.parent.name}{n % 12 + 1}组{n}号"
        house = House(grid=grid, building=building, address=address, is_demo=True)
        houses.append(house)
        households.append(
            Household(
                grid=grid,
                number=f"{grid.code[-6:]}{n:05d}",
                address=address,
                residence_type=ResidenceType.REGISTERED,
                is_demo=True,
            )
        )
        head_gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
        group = [
            _resident(
                grid,
                rng,
                ids,
                today,
                gender=head_gender,
                low=25 if size > 1 else 60,
                high=80,
                relation_to_head=Relation.HEAD,
                address=address,
                residence_type=ResidenceType.REGISTERED,
            )
        ]
        if size >= 2:
            spouse_gender = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
            group.append(
                _resident(
                    grid,
                    rng,
                    ids,
                    today,
                    gender=spouse_gender,
                    low=25,
                    high=75,
                    relation_to_head=Relation.SPOUSE,
                    address=address,
                    residence_type=ResidenceType.REGISTERED,
                )
            )
        for k in range(2, size):
            relation = Relation.PARENT if k == 5 else (Relation.GRANDCHILD if k == 4 else Relation.CHILD)
            low, high = {Relation.PARENT: (70, 92), Relation.GRANDCHILD: (0, 10)}.get(relation, (1, 30))
            group.append(
                _resident(
                    grid,
                    rng,
                    ids,
                    today,
                    gender=rng.choice(list(Gender)),
                    low=low,
                    high=high,
                    relation_to_head=relation,
                    address=address,
                    residence_type=ResidenceType.REGISTERED,
                )
            )
        members.append(group)
        made += size

    # Floating population: tenants of rented flats or rooms, one floating household per rented house.
    floating = people - registered
    rented_houses: list[tuple[House, list[Resident]]] = []
    while floating > 0:
        size = min(rng.choice([1, 1, 2, 2, 3]), floating)
        n = len(households) + 1
        address = houses[rng.randrange(len(houses))].address + "（出租）"
        house = House(
            grid=grid, building=None, address=address, is_rented=True, owner_name=_name(rng), is_demo=True
        )
        houses.append(house)
        households.append(
            Household(
                grid=grid,
                number=f"{grid.code[-6:]}{n:05d}",
                address=address,
                residence_type=ResidenceType.FLOATING,
                is_demo=True,
            )
        )
        region = rng.choice(FLOATING_REGIONS)
        group = [
            _resident(
                grid,
                rng,
                ids,
                today,
                gender=rng.choice(list(Gender)),
                low=18,
                high=55,
                relation_to_head=Relation.HEAD if k == 0 else Relation.OTHER,
                address=address,
                residence_type=ResidenceType.FLOATING,
                region=region,
                registered_address=f"{region} 户籍地",
                moved_in_on=today - dt.timedelta(days=rng.randint(10, 900)),
            )
            for k in range(size)
        ]
        members.append(group)
        rented_houses.append((house, group))
        floating -= size

    House.objects.bulk_create(houses, batch_size=2000)
    for household, house in zip(households, houses, strict=True):
        household.house = house
    Household.objects.bulk_create(households, batch_size=2000)
    residents = []
    for household, group in zip(households, members, strict=True):
        for resident in group:
            resident.household = household
            residents.append(resident)
    Resident.objects.bulk_create(residents, batch_size=2000)
    for household, group in zip(households, members, strict=True):
        household.head = group[0]
    Household.objects.bulk_update(households, ["head"], batch_size=2000)
    Tenancy = House.tenants.through
    Tenancy.objects.bulk_create(
        [Tenancy(house_id=house.pk, resident_id=r.pk) for house, group in rented_houses for r in group],
        batch_size=2000,
    )

    organisations = [
        Organisation(
            grid=grid,
            name=f"{grid.parent.name}{label}",
            kind=kind,
            address=f"{grid.parent.name}{i + 1}号",
            contact_name=_name(rng),
            contact_phone=phone,
            employees=rng.randint(5, 300),
            is_demo=True,
        )
        for i, (label, kind) in enumerate(
            [
                ("商贸有限公司", OrganisationKind.ENTERPRISE),
                ("农业专业合作社", OrganisationKind.ENTERPRISE),
                ("建材厂", OrganisationKind.ENTERPRISE),
                ("小学", OrganisationKind.SCHOOL),
                ("幼儿园", OrganisationKind.SCHOOL),
                ("志愿者协会", OrganisationKind.SOCIAL),
                ("老年协会", OrganisationKind.SOCIAL),
                ("卫生室", OrganisationKind.OTHER),
            ]
        )
        for phone in [_phone(rng)]
    ]
    Organisation.objects.bulk_create(organisations)
    counts.update(
        residents=len(residents),
        households=len(households),
        houses=len(houses),
        organisations=len(organisations),
    )
    counts["buildings"] = len(buildings)
    counts.update(_seed_groups(grid, residents, rng, today))
    return counts


def _seed_groups(grid: Area, residents: list[Resident], rng: random.Random, today: dt.date) -> dict[str, int]:
    """Members with visit histories: about a fifth overdue, a fifth due within the lead days, the rest fine."""
    from workers.models import Duty, DutyLog, Worker

    worker = Worker.objects.filter(grid=grid).order_by("pk").first()
    if worker is None:
        return {"memberships": 0, "visits": 0}
    duties = {d.code: d for d in Duty.objects.filter(code__in=["special_groups", "livelihood"])}
    adults = [r for r in residents if (today - r.birth_date).days >= 18 * 365]
    elderly = [r for r in residents if (today - r.birth_date).days >= 70 * 365]
    youth = [r for r in residents if 12 * 365 <= (today - r.birth_date).days < 25 * 365]
    count = max(1, round(len(residents) * GROUP_SHARE))
    chosen: set[tuple[int, str]] = set()
    memberships: list[GroupMembership] = []
    histories: list[list[dt.date]] = []
    for _ in range(count):
        group_type = _weighted(rng, GROUP_WEIGHTS)
        pool = {GroupType.ELDERLY_ALONE: elderly, GroupType.AT_RISK_YOUTH: youth}.get(group_type) or adults
        resident = rng.choice(pool)
        if (resident.pk, group_type) in chosen:
            continue
        chosen.add((resident.pk, group_type))
        interval = conf.default_visit_interval(group_type)
        roll = rng.random()
        if roll < 0.2:
            next_due = today - dt.timedelta(days=rng.randint(1, 12))
        elif roll < 0.4:
            next_due = today + dt.timedelta(days=rng.randint(0, conf.VISIT_DUE_LEAD_DAYS))
        else:
            next_due = today + dt.timedelta(days=rng.randint(conf.VISIT_DUE_LEAD_DAYS + 1, max(interval, 5)))
        start = today - dt.timedelta(days=rng.randint(60, 500))
        visits, day = [], next_due - dt.timedelta(days=interval)
        while day >= start and len(visits) < MAX_VISITS_PER_MEMBER:
            visits.append(day)
            day -= dt.timedelta(days=interval + rng.randint(-2, 2))
        visits.reverse()
        if visits and visits[0] < start:
            start = visits[0]
        if visits and visits[-1] > today:
            visits.pop()
        memberships.append(
            GroupMembership(
                resident=resident,
                group_type=group_type,
                category=group_category(group_type),
                start_date=min([start, *visits]) if visits else start,
                responsible=worker,
                visit_interval_days=interval,
                next_visit_due=next_due,
                is_demo=True,
            )
        )
        histories.append(visits)
    GroupMembership.objects.bulk_create(memberships)

    logs, planned = [], []
    for membership, visits in zip(memberships, histories, strict=True):
        duty = duties["special_groups" if membership.category == "special" else "livelihood"]
        due = membership.start_date + dt.timedelta(days=membership.visit_interval_days)
        for day in visits:
            at = timezone.make_aware(
                dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])))
            )
            logs.append(
                DutyLog(
                    worker=worker,
                    duty=duty,
                    role_id=duty.role_id,
                    grid=grid,
                    occurred_at=at,
                    resident=membership.resident,
                    place=membership.resident.address,
                    note=f"{membership.get_group_type_display()}：{membership.resident.name}。走访正常",
                )
            )
            planned.append((membership, at, due))
            due = day + dt.timedelta(days=membership.visit_interval_days)
    DutyLog.objects.bulk_create(logs, batch_size=2000)
    Visit.objects.bulk_create(
        [
            Visit(
                membership=m,
                duty_log=log,
                worker=worker,
                visited_at=at,
                due_date=due,
                method=rng.choice([VisitMethod.HOME, VisitMethod.HOME, VisitMethod.PHONE]),
                finding="情况稳定",
                needs_follow_up=rng.random() < 0.05,
            )
            for (m, at, due), log in zip(planned, logs, strict=True)
        ],
        batch_size=2000,
    )
    return {"memberships": len(memberships), "visits": len(planned)}


@transaction.atomic
def seed(stdout=None) -> dict[str, int]:
    started = time.monotonic()
    today = timezone.localdate()
    totals: dict[str, int] = {}
    ids = IdNumbers(set(Resident.objects.values_list("id_number_hash", flat=True)))
    for grid, (_type, _index, people) in zip(chosen_grids(), PLAN, strict=True):
        if grid is None or Resident.objects.filter(grid=grid, is_demo=True).exists():
            continue
        for key, value in _seed_grid(grid, people, today, ids).items():
            totals[key] = totals.get(key, 0) + value
    if stdout:
        if totals:
            summary = ", ".join(f"{v} {k}" for k, v in totals.items())
            stdout.write(f"registry: {summary} created in {time.monotonic() - started:.1f}s")
        else:
            stdout.write("registry: nothing to create")
    return totals
