"""Demo forces for the seeded tree (DOMAIN §5), in believable proportions.

* standing: one town link cadre (挂联干部) per village or community, leading each of its level-1 grids; two
  village cadres per village or community, one of whom leads each level-2 grid; a group leader per level-2
  grid and an informant per level-3 grid;
* embedded: two department staff on every urban-community level-1 grid;
* emergency: three "double report" party members and cadres per level-1 grid, and one department staff
  member per three villages, linked to up to 25 (resp. 15) households of the registry where it has any
  (包保联系到户);
* social: about one volunteer, elder, business… per two level-1 grids, a tenth still awaiting approval;
* one ended flood drill in the district seat, so the after-action figures have something to show.

Every row has a stable `ref`, so a second run creates nothing. Names and numbers are made up.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import Department
from grids.choices import GRID_KINDS, VILLAGE_KINDS, AreaKind, GridType
from grids.models import Area

from .choices import (
    SUBTYPES_BY_KIND,
    ActivationStatus,
    EmergencyLevel,
    EmergencyType,
    ForceKind,
    ForceSubtype,
    TaskKind,
    TaskStatus,
)
from .choices import MemberStatus as S
from .models import Activation, ActivationTask, DutyShift, ForceMember, GridLeader, Mobilisation

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "建国华平明军勇志强敏静丽芳娟霞燕红英兰秀玲桂珍德林海涛斌波鹏伟刚杰磊超文武春梅冬雪玉凤琴云翠芬"
_SOCIAL_ORGS = {
    ForceSubtype.ENTERPRISE: "{name}农业专业合作社",
    ForceSubtype.SOCIAL_ORGANISATION: "{name}志愿服务协会",
    ForceSubtype.INDUSTRY_ASSOCIATION: "恩阳区个体劳动者协会",
    ForceSubtype.PROPERTY_MANAGEMENT: "{name}物业服务有限公司",
    ForceSubtype.LOCKSMITH: "{name}开锁服务部",
    ForceSubtype.CLEANING: "{name}保洁服务部",
}
EMBEDDED_DEPARTMENTS = {
    ForceSubtype.COURT: "court",
    ForceSubtype.POLICE: "police",
    ForceSubtype.JUSTICE: "justice",
    ForceSubtype.HOUSING: "housing",
    ForceSubtype.PETITIONS: "petitions",
    ForceSubtype.MARKET: "market",
    ForceSubtype.ENFORCEMENT: "enforcement",
}
LINK_DEPARTMENTS = ["emergency", "civil_affairs", "health", "housing", "police", "fire", "environment"]
DRILL_TITLE = "登科街道防汛应急演练（示例）"


class _Maker:
    def __init__(self):
        self.rng = random.Random(5119035)
        self.serial = 0
        self.rows: list[tuple[ForceMember, list[int]]] = []
        self.existing = set(ForceMember.objects.exclude(ref="").values_list("ref", flat=True))

    def name(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(
            self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2)))
        )

    def add(self, ref: str, subtype: str, area: Area, *, extra=(), **fields) -> None:
        self.serial += 1
        phone = f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.serial:08d}"
        if ref in self.existing:
            return
        kind = next(k for k, subs in SUBTYPES_BY_KIND.items() if subtype in subs)
        fields.setdefault("name", self.name())
        member = ForceMember(ref=ref, kind=kind, subtype=subtype, area=area, phone=phone, **fields)
        self.rows.append((member, [a.pk for a in extra]))


def _plan(maker: _Maker, departments: dict[str, Department]) -> None:
    units = list(
        Area.objects.filter(kind__in=VILLAGE_KINDS, is_active=True).select_related("parent").order_by("code")
    )
    grids = list(Area.objects.filter(kind__in=GRID_KINDS, is_active=True).order_by("code"))
    grids_by_parent: dict[int, list[Area]] = {}
    for grid in grids:
        grids_by_parent.setdefault(grid.parent_id, []).append(grid)
    for i, unit in enumerate(units):
        town = unit.parent
        maker.add(
            f"seed:town-cadre:{unit.code}",
            ForceSubtype.TOWN_CADRE,
            unit,
            organisation=f"{town.name}党政办",
            note="挂联干部",
        )
        for k in (1, 2):
            maker.add(
                f"seed:village-cadre:{unit.code}:{k}",
                ForceSubtype.VILLAGE_CADRE,
                unit,
                organisation=f"{unit.name}{'党支部' if k == 1 else ('居委会' if unit.kind == AreaKind.COMMUNITY else '村委会')}",
            )
        if i % 3 == 0:
            code = LINK_DEPARTMENTS[(i // 3) % len(LINK_DEPARTMENTS)]
            maker.add(
                f"seed:dept-link:{unit.code}",
                ForceSubtype.DEPARTMENT_STAFF,
                unit,
                department=departments.get(code),
                note="部门包保干部",
            )
    for n, grid in enumerate(grids):
        if grid.kind == AreaKind.GRID_L2:
            maker.add(f"seed:group-leader:{grid.code}", ForceSubtype.GROUP_LEADER, grid)
            continue
        if grid.kind == AreaKind.GRID_L3:
            maker.add(f"seed:informant:{grid.code}", ForceSubtype.INFORMANT, grid)
            continue
        if grid.grid_type == GridType.URBAN_COMMUNITY:
            subtypes = list(EMBEDDED_DEPARTMENTS)
            for k in (0, 1):
                subtype = subtypes[(2 * n + k) % len(subtypes)]
                maker.add(
                    f"seed:embedded:{grid.code}:{k}",
                    subtype,
                    grid,
                    department=departments.get(EMBEDDED_DEPARTMENTS[subtype]),
                )
        for k, subtype in enumerate(
            (ForceSubtype.PARTY_MEMBER, ForceSubtype.PARTY_MEMBER, ForceSubtype.CADRE)
        ):
            maker.add(f"seed:emergency:{grid.code}:{k}", subtype, grid, note="双报到")
        if n % 2 == 0:
            social = SUBTYPES_BY_KIND[ForceKind.SOCIAL]
            subtype = social[(n // 2) % len(social)]
            org = _SOCIAL_ORGS.get(subtype, "").format(name=grid.name[:2])
            pending = n % 20 == 0
            maker.add(
                f"seed:social:{grid.code}",
                subtype,
                grid,
                name=org or maker.name(),
                organisation=org,
                status=S.PENDING if pending else S.ACTIVE,
                self_registered=pending,
            )


def _leaders() -> int:
    """Each level-1 grid led by its village's link cadre, each level-2 grid by its village's first cadre."""
    cadres = {
        m.ref: m
        for m in ForceMember.objects.filter(ref__startswith="seed:").filter(
            subtype__in=[ForceSubtype.TOWN_CADRE, ForceSubtype.VILLAGE_CADRE]
        )
    }
    led = set(GridLeader.objects.values_list("area_id", flat=True))
    rows = []
    for grid in Area.objects.filter(
        kind__in=[AreaKind.GRID_L1, AreaKind.GRID_L2], is_active=True
    ).select_related("parent__parent"):
        if grid.pk in led:
            continue
        if grid.kind == AreaKind.GRID_L1:
            member = cadres.get(f"seed:town-cadre:{grid.parent.code}")
        else:
            member = cadres.get(f"seed:village-cadre:{grid.parent.parent.code}:1")
        if member is not None:
            rows.append(GridLeader(area=grid, member=member))
    GridLeader.objects.bulk_create(rows)
    return len(rows)


def _households() -> int:
    """Link each seeded emergency member with no links yet to a few households of the places they serve."""
    try:
        from registry.models import Household
    except ImportError:  # pragma: no cover - the registry app is always installed
        return 0
    if not Household.objects.exists():
        return 0
    through = ForceMember.households.through
    linked = set(through.objects.values_list("forcemember_id", flat=True).distinct())
    members = ForceMember.objects.filter(ref__startswith="seed:", kind=ForceKind.EMERGENCY).exclude(
        pk__in=linked
    )
    by_grid: dict[int, list[int]] = {}
    by_unit: dict[int, list[int]] = {}
    for pk, grid_id, unit_id in Household.objects.values_list("pk", "grid_id", "grid__parent_id").order_by(
        "pk"
    ):
        by_grid.setdefault(grid_id, []).append(pk)
        by_unit.setdefault(unit_id, []).append(pk)
    rows = []
    for member in members.only("pk", "ref", "area_id"):
        if member.ref.startswith("seed:dept-link:"):
            pool, size = by_unit.get(member.area_id, []), 15
        else:
            # The three members of a grid share its households out between them.
            k = int(member.ref.rsplit(":", 1)[1])
            pool, size = by_grid.get(member.area_id, [])[k::3], 25
        rows += [through(forcemember_id=member.pk, household_id=h) for h in pool[:size]]
    through.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _drill() -> bool:
    """An ended flood drill in the district seat, with believable acknowledgement times."""
    existing = Activation.objects.filter(title=DRILL_TITLE).first()
    if existing is not None:
        # Households may have been seeded (and linked) after the drill: bring its figures up to date.
        from .selectors import activation_figures

        figures = activation_figures(activation=existing)
        if figures != existing.figures:
            Activation.objects.filter(pk=existing.pk).update(figures=figures)
        return False
    area = Area.objects.filter(kind=AreaKind.SUBDISTRICT, name="登科街道").first()
    if area is None:
        return False
    rng = random.Random(20260610)
    start = timezone.make_aware(dt.datetime(2026, 6, 10, 9, 0))
    activation = Activation.objects.create(
        title=DRILL_TITLE,
        emergency_type=EmergencyType.FLOOD,
        level=EmergencyLevel.IV,
        is_drill=True,
        area=area,
        description="汛前演练：检验应急力量响应速度（示例数据）",
        remind_after_minutes=30,
        leader_after_minutes=60,
        opened_at=start,
        status=ActivationStatus.OPEN,
    )
    members = ForceMember.objects.active().filter(kind=ForceKind.EMERGENCY).attached_within(area)
    rows = []
    for pk in members.values_list("pk", flat=True).order_by("pk"):
        ack = None
        if rng.random() < 0.9:  # nine in ten answer, most within a quarter of an hour
            ack = start + dt.timedelta(seconds=int(rng.lognormvariate(6.0, 0.8)))
        rows.append(
            Mobilisation(
                activation=activation,
                member_id=pk,
                notified_at=start,
                acknowledged_at=ack,
                checked_in_at=ack + dt.timedelta(minutes=rng.randint(10, 40))
                if ack and rng.random() < 0.8
                else None,
                remind_due_at=start + dt.timedelta(minutes=30),
                leader_due_at=start + dt.timedelta(minutes=60),
                reminded_at=None
                if ack and ack < start + dt.timedelta(minutes=30)
                else start + dt.timedelta(minutes=30),
            )
        )
    Mobilisation.objects.bulk_create(rows)
    answered = [r for r in rows if r.acknowledged_at is not None]
    for k, (kind, title) in enumerate(
        [
            (TaskKind.PATROL, "沿河低洼地带巡查"),
            (TaskKind.PUBLICITY, "入户宣传转移路线"),
            (TaskKind.SUPPLIES, "清点防汛物资"),
        ]
    ):
        if k < len(answered):
            member = ForceMember.objects.get(pk=answered[k].member_id)
            ActivationTask.objects.create(
                activation=activation,
                kind=kind,
                title=title,
                area=member.area,
                assignee=member,
                status=TaskStatus.DONE if k < 2 else TaskStatus.OPEN,
                done_at=start + dt.timedelta(hours=1 + k) if k < 2 else None,
            )
            DutyShift.objects.create(
                activation=activation,
                member=member,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=3),
                post="街道防汛值班室",
            )
    from .selectors import activation_figures

    activation.status = ActivationStatus.ENDED
    activation.ended_at = start + dt.timedelta(hours=3)
    activation.figures = activation_figures(activation=activation)
    activation.save()
    return True


def seed(stdout=None) -> int:
    departments = {d.code: d for d in Department.objects.all()}
    maker = _Maker()
    _plan(maker, departments)
    with transaction.atomic():
        created = ForceMember.objects.bulk_create([m for m, _ in maker.rows], batch_size=1000)
        through = ForceMember.extra_areas.through
        through.objects.bulk_create(
            [
                through(forcemember_id=m.pk, area_id=a)
                for m, (_, extra) in zip(created, maker.rows, strict=True)
                for a in extra
            ]
        )
        leaders = _leaders()
        links = _households()
        drill = _drill()
    if stdout:
        stdout.write(
            f"forces: {len(created)} member(s), {leaders} grid leader(s), {links} household link(s)"
            f"{', 1 demo drill' if drill else ''} created"
        )
    return len(created) + leaders + links + int(drill)
