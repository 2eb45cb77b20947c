"""The Enyang area tree (DOMAIN §2): 18 town-level units, 309 village-level units, 385 level-1 grids.

Town names are public; village, community and grid names are generated and marked as demo. The plan is
deterministic (fixed random seed), so running the seed twice changes nothing.
"""

import random
from dataclasses import dataclass, field

from core.tree import tree_lock

from . import geometry
from .choices import AreaKind, GridType, UrbanRuralClass
from .models import Area

DISTRICT_CODE = "511903"
DISTRICT_NAME = "恩阳区"
# Bounding box of the demo geometry (around the district seat, 106.63E 31.79N).
DISTRICT_BOX = (106.35, 31.55, 106.95, 32.05)

SUBDISTRICTS = ["登科街道", "文治街道", "司城街道"]
TOWNS = [
    "明阳镇",
    "玉山镇",
    "渔溪镇",
    "花丛镇",
    "柳林镇",
    "下八庙镇",
    "茶坝镇",
    "上八庙镇",
    "关公镇",
    "兴隆镇",
    "双胜镇",
    "群乐镇",
    "尹家镇",
    "九镇",
    "雪山镇",
]

URBAN_COMMUNITIES_PER_SUBDISTRICT = [12, 9, 9]  # 30 urban communities
URBAN_GRIDS_TOTAL = 83
RURAL_COMMUNITIES_TOTAL = 56  # 86 communities in all
RURAL_GRIDS_TOTAL = 93
VILLAGES_PER_SUBDISTRICT = 6  # 18 villages in the subdistricts
VILLAGES_TOTAL = 223
VILLAGES_WITH_GRID = 209  # 14 villages have no grid of their own

_FIRST = "青龙白云石桥马鞍金凤黄桷柏杨双河新华和平大兴永安高峰莲花清水红岩万福长乐紫荆玉泉茶园松林"
_SECOND = "山坪坝湾沟垭岭寺庙桥塘园林岗湾溪口"


@dataclass
class Node:
    kind: str
    code: str
    name: str
    parent_code: str | None
    box: tuple[float, float, float, float]
    urban_rural_class: str = ""
    grid_type: str = ""
    households: int | None = None
    population: int | None = None
    children: list["Node"] = field(default_factory=list)


def _split(box, n: int, *, columns: int | None = None):
    """Cut a box into n cells (rows × columns), left to right, top to bottom."""
    min_x, min_y, max_x, max_y = box
    cols = columns or max(1, round(n**0.5))
    rows = -(-n // cols)
    w, h = (max_x - min_x) / cols, (max_y - min_y) / rows
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        last_in_row = c == cols - 1 or i == n - 1
        right = max_x if last_in_row else min_x + (c + 1) * w
        cells.append((min_x + c * w, max_y - (r + 1) * h if r < rows - 1 else min_y, right, max_y - r * h))
    return cells


def _names(rng: random.Random, count: int, suffix: str, taken: set[str]) -> list[str]:
    names = []
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_FIRST + _SECOND) + suffix
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _spread(total: int, buckets: int) -> list[int]:
    base, extra = divmod(total, buckets)
    return [base + (1 if i < extra else 0) for i in range(buckets)]


def _grid_size(rng: random.Random, outlier: str = "") -> tuple[int, int]:
    if outlier == "small":
        households = rng.randint(40, 90)
        return households, int(households * rng.uniform(2.8, 3.4))
    if outlier == "large":
        households = rng.randint(380, 500)
        return households, int(households * rng.uniform(8.0, 9.0))
    households = rng.randint(120, 290)
    return households, int(households * rng.uniform(2.9, 3.5))


def build_plan() -> Node:
    rng = random.Random(511903)
    district = Node(AreaKind.DISTRICT, DISTRICT_CODE, DISTRICT_NAME, None, DISTRICT_BOX)
    town_boxes = _split(DISTRICT_BOX, 18, columns=6)
    rural_communities = _spread(RURAL_COMMUNITIES_TOTAL, len(TOWNS))
    town_villages = _spread(VILLAGES_TOTAL - VILLAGES_PER_SUBDISTRICT * len(SUBDISTRICTS), len(TOWNS))
    towns = [(AreaKind.SUBDISTRICT, i + 1, name) for i, name in enumerate(SUBDISTRICTS)]
    towns += [(AreaKind.TOWN, 100 + i, name) for i, name in enumerate(TOWNS)]

    communities: list[Node] = []
    villages: list[Node] = []
    for index, (kind, segment, name) in enumerate(towns):
        town = Node(kind, f"{DISTRICT_CODE}{segment:03d}000", name, DISTRICT_CODE, town_boxes[index])
        district.children.append(town)
        if kind == AreaKind.SUBDISTRICT:
            n_comm, n_vill = URBAN_COMMUNITIES_PER_SUBDISTRICT[index], VILLAGES_PER_SUBDISTRICT
            comm_class = UrbanRuralClass.MAIN_URBAN if index == 0 else UrbanRuralClass.URBAN_FRINGE
        else:
            n_comm, n_vill = rural_communities[index - 3], town_villages[index - 3]
            comm_class = UrbanRuralClass.TOWN_CENTRE if index % 2 else UrbanRuralClass.TOWN_FRINGE
        taken: set[str] = set()
        cells = _split(town.box, n_comm + n_vill)
        for j, comm_name in enumerate(_names(rng, n_comm, "社区", taken)):
            node = Node(
                AreaKind.COMMUNITY,
                f"{town.code[:9]}{j + 1:03d}",
                comm_name,
                town.code,
                cells[j],
                urban_rural_class=comm_class,
            )
            town.children.append(node)
            communities.append(node)
        for j, vill_name in enumerate(_names(rng, n_vill, "村", taken)):
            node = Node(
                AreaKind.VILLAGE,
                f"{town.code[:9]}{200 + j + 1:03d}",
                vill_name,
                town.code,
                cells[n_comm + j],
                urban_rural_class=UrbanRuralClass.VILLAGE,
            )
            town.children.append(node)
            villages.append(node)

    urban = [
        c
        for c in communities
        if c.urban_rural_class in (UrbanRuralClass.MAIN_URBAN, UrbanRuralClass.URBAN_FRINGE)
    ]
    rural = [c for c in communities if c not in urban]
    grid_counts: dict[str, int] = {}
    grid_counts.update(
        {c.code: n for c, n in zip(urban, _spread(URBAN_GRIDS_TOTAL, len(urban)), strict=True)}
    )
    grid_counts.update(
        {c.code: n for c, n in zip(rural, _spread(RURAL_GRIDS_TOTAL, len(rural)), strict=True)}
    )
    # The villages without a grid of their own: one in each of the last 14 towns.
    without = {town.children[-1].code for town in district.children[-(VILLAGES_TOTAL - VILLAGES_WITH_GRID) :]}
    grid_counts.update({v.code: (0 if v.code in without else 1) for v in villages})

    outlier_every = 23  # a few grids fall outside the size guidance, as the report says they do
    grid_index = 0
    for unit in communities + villages:
        count = grid_counts[unit.code]
        if unit.kind == AreaKind.VILLAGE:
            grid_type = GridType.VILLAGE
        elif unit in urban:
            grid_type = GridType.URBAN_COMMUNITY
        else:
            grid_type = GridType.RURAL_COMMUNITY
        if count == 0:
            unit.households, unit.population = _grid_size(rng)
            continue
        for k, cell in enumerate(_split(unit.box, count, columns=count)):
            grid_index += 1
            outlier = "" if grid_index % outlier_every else ("small" if grid_index % 2 else "large")
            households, population = _grid_size(rng, outlier)
            grid = Node(
                AreaKind.GRID_L1,
                f"{unit.code}{k + 1:03d}",
                f"{unit.name}第{k + 1}网格",
                unit.code,
                cell,
                grid_type=grid_type,
                households=households,
                population=population,
            )
            unit.children.append(grid)
        unit.households = sum(g.households for g in unit.children)
        unit.population = sum(g.population for g in unit.children)

    # A few level-2 and level-3 grids: residents' groups and compounds under the first grids of two units.
    for unit, group_word, leaf_word in ((urban[0], "居民小组", "小区"), (villages[0], "村民小组", "湾")):
        l1 = unit.children[0]
        for k, cell in enumerate(_split(l1.box, 3, columns=3)):
            l2 = Node(
                AreaKind.GRID_L2,
                f"{l1.code}{k + 1:03d}",
                f"第{k + 1}{group_word}",
                l1.code,
                cell,
                grid_type=l1.grid_type,
            )
            l1.children.append(l2)
            if k < 2:
                for m, leaf in enumerate(_split(cell, 2, columns=1)):
                    l2.children.append(
                        Node(
                            AreaKind.GRID_L3,
                            f"{l2.code}{m + 1:03d}",
                            f"{_FIRST[k * 2 + m]}家{leaf_word}",
                            l2.code,
                            leaf,
                            grid_type=l1.grid_type,
                        )
                    )
    return district


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


def seed(stdout=None) -> int:
    """Create what is missing of the plan; existing nodes are left as they are. Returns the number created."""
    plan = list(walk(build_plan()))
    with tree_lock():
        existing = set(Area.objects.filter(code__in=[n.code for n in plan]).values_list("code", flat=True))
        missing = [n for n in plan if n.code not in existing]
        if not missing:
            return 0
        ids = dict(Area.objects.values_list("code", "id"))
        tree_id = Area.objects.filter(code=DISTRICT_CODE).values_list("tree_id", flat=True).first()
        if tree_id is None:
            from .services import max_tree_id

            tree_id = max_tree_id() + 1
        level = {
            AreaKind.DISTRICT: 0,
            AreaKind.SUBDISTRICT: 1,
            AreaKind.TOWN: 1,
            AreaKind.COMMUNITY: 2,
            AreaKind.VILLAGE: 2,
            AreaKind.GRID_L1: 3,
            AreaKind.GRID_L2: 4,
            AreaKind.GRID_L3: 5,
        }
        # Loaded level by level in bulk, then the MPTT columns are rebuilt once, under the same lock.
        for depth in sorted(set(level.values())):
            batch = []
            for n in missing:
                if level[n.kind] != depth:
                    continue
                area = Area(
                    kind=n.kind,
                    code=n.code,
                    name=n.name,
                    parent_id=ids.get(n.parent_code) if n.parent_code else None,
                    urban_rural_class=n.urban_rural_class,
                    grid_type=n.grid_type,
                    households=n.households,
                    population=n.population,
                    boundary=geometry.rectangle(*n.box),
                    is_demo=n.kind != AreaKind.DISTRICT
                    and n.kind not in (AreaKind.SUBDISTRICT, AreaKind.TOWN),
                    tree_id=tree_id,
                    lft=0,
                    rght=0,
                    level=depth,
                )
                area.sync_geometry_fields()
                batch.append(area)
            for area in Area.objects.bulk_create(batch, batch_size=500):
                ids[area.code] = area.pk
        Area.objects.partial_rebuild(tree_id) if existing else Area.objects.rebuild()
    if stdout:
        stdout.write(f"grids: {len(missing)} area node(s) created")
    return len(missing)
