import pytest
from django.core.exceptions import ValidationError

from grids import services
from grids.choices import AreaKind, GridType
from grids.models import Area
from tests import factories

pytestmark = pytest.mark.django_db

# (kind, parent key in the `tree` fixture, or None for no parent) that the rules refuse.
WRONG_PARENTS = [
    (AreaKind.DISTRICT, "district"),
    (AreaKind.TOWN, None),
    (AreaKind.TOWN, "town_a"),
    (AreaKind.SUBDISTRICT, "village"),
    (AreaKind.VILLAGE, "district"),
    (AreaKind.COMMUNITY, "village"),
    (AreaKind.GRID_L1, "town_a"),
    (AreaKind.GRID_L1, "grid_v1"),
    (AreaKind.GRID_L2, "village"),
    (AreaKind.GRID_L3, "grid_v1"),
]


@pytest.mark.parametrize(("kind", "parent_key"), WRONG_PARENTS)
def test_a_wrong_parent_kind_is_refused_with_the_rule(tree, kind, parent_key):
    parent = tree[parent_key] if parent_key else None
    before = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(
            kind=kind, parent=parent, name="错误", grid_type=GridType.VILLAGE if "grid" in kind else ""
        )
    message = " ".join(excinfo.value.messages)
    assert "Rule" in message or "规则" in message
    assert Area.objects.count() == before


@pytest.mark.parametrize(
    ("kind", "parent_key", "grid_type"),
    [
        (AreaKind.TOWN, "district", ""),
        (AreaKind.SUBDISTRICT, "district", ""),
        (AreaKind.VILLAGE, "town_a", ""),
        (AreaKind.COMMUNITY, "town_a", ""),
        (AreaKind.GRID_L1, "village", GridType.VILLAGE),
        (AreaKind.GRID_L2, "grid_v1", GridType.VILLAGE),
    ],
)
def test_every_allowed_parent_kind_is_accepted(tree, kind, parent_key, grid_type):
    area = services.area_create(kind=kind, parent=tree[parent_key], name="新节点", grid_type=grid_type)
    assert area.parent == tree[parent_key]


def test_level3_grid_goes_under_level2(tree):
    l2 = factories.make_grid(tree["grid_v1"])
    l3 = factories.make_grid(l2)
    assert (l2.kind, l3.kind) == (AreaKind.GRID_L2, AreaKind.GRID_L3)
    assert l3.code.startswith(l2.code) and len(l3.code) == 21


def test_moving_a_node_under_its_own_descendant_is_refused(tree):
    l2 = factories.make_grid(tree["grid_v1"])
    with pytest.raises(ValidationError, match="descendants|下级"):
        services.area_move(area=tree["grid_v1"], new_parent=l2)
    with pytest.raises(ValidationError):
        services.area_move(area=tree["town_a"], new_parent=tree["town_a"])


def test_codes_follow_the_digit_scheme(tree):
    assert tree["district"].code == "511903"
    assert tree["town_a"].code == "511903100000"  # towns take 100–199
    assert tree["community"].code == "511903100001"  # communities take 001–199
    assert tree["village"].code == "511903100200"[:-3] + "200"  # villages take 200–399
    assert tree["grid_v1"].code == tree["village"].code + "001"
    subdistrict = factories.make_town(tree["district"], kind=AreaKind.SUBDISTRICT, name="街道")
    assert subdistrict.code == "511903001000"


@pytest.mark.parametrize(
    ("kind", "parent_key", "code"),
    [
        (AreaKind.TOWN, "district", "511903001000"),  # 001–099 is for subdistricts
        (AreaKind.TOWN, "district", "51190310000"),  # 11 digits
        (AreaKind.TOWN, "district", "511904150000"),  # not under 511903
        (AreaKind.VILLAGE, "town_a", "511903100050"),  # 001–199 is for communities
        (AreaKind.COMMUNITY, "town_a", "511903100250"),  # 200–399 is for villages
    ],
)
def test_codes_outside_the_scheme_are_refused(tree, kind, parent_key, code):
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(kind=kind, parent=tree[parent_key], name="x", code=code)
    assert "code" in excinfo.value.message_dict


def test_codes_are_unique(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(
            kind=AreaKind.VILLAGE,
            parent=tree["town_a"],
            name="重复",
            code=tree["village"].code,
            urban_rural_class="220",
        )
    assert "code" in excinfo.value.message_dict


def test_a_retired_code_is_never_reused(tree):
    services.area_retire(area=tree["grid_v1"])
    new_grid = factories.make_grid(tree["village"])
    assert new_grid.code != tree["grid_v1"].code
    assert new_grid.code == tree["village"].code + "002"


def test_level1_grid_type_must_match_its_unit(tree):
    with pytest.raises(ValidationError, match="grid_type|网格类型|must be"):
        services.area_create(
            kind=AreaKind.GRID_L1, parent=tree["village"], name="x", grid_type=GridType.URBAN_COMMUNITY
        )
    dedicated = services.area_create(
        kind=AreaKind.GRID_L1, parent=tree["village"], name="学校", grid_type=GridType.DEDICATED
    )
    assert dedicated.grid_type == GridType.DEDICATED


def test_an_invalid_boundary_is_refused(tree):
    with pytest.raises(ValidationError):
        services.area_update(area=tree["grid_v1"], boundary={"type": "Point", "coordinates": [106.6, 31.8]})
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ValidationError):
        services.area_update(area=tree["grid_v1"], boundary=bowtie)


def test_boundary_sets_bounding_box_and_centre(tree):
    area = services.area_update(
        area=tree["grid_v1"],
        boundary={
            "type": "Polygon",
            "coordinates": [[[106, 31], [107, 31], [107, 32], [106, 32], [106, 31]]],
        },
    )
    assert (area.min_lng, area.max_lat) == (106, 32)
    assert (area.center_lng, area.center_lat) == (106.5, 31.5)
