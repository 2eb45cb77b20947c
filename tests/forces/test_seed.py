import pytest

from forces import seed as forces_seed
from forces.choices import ForceKind, MemberStatus
from forces.models import Activation, ForceMember, GridLeader
from grids import seed as grids_seed
from grids.choices import AreaKind, GridType
from grids.models import Area

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_seed_gives_every_level1_grid_a_leader_in_believable_proportions_and_runs_once():
    grids_seed.seed()
    first = forces_seed.seed()

    assert first > 0
    l1 = Area.objects.filter(kind=AreaKind.GRID_L1)
    assert GridLeader.objects.filter(area__kind=AreaKind.GRID_L1).count() == l1.count() == 385
    assert all(
        g.member.subtype == "town_cadre" for g in GridLeader.objects.filter(area__kind=AreaKind.GRID_L1)
    )
    embedded = ForceMember.objects.filter(kind=ForceKind.EMBEDDED)
    assert embedded.count() == 2 * l1.filter(grid_type=GridType.URBAN_COMMUNITY).count()
    assert not embedded.exclude(area__grid_type=GridType.URBAN_COMMUNITY).exists()
    emergency = ForceMember.objects.filter(kind=ForceKind.EMERGENCY).count()
    social = ForceMember.objects.filter(kind=ForceKind.SOCIAL)
    assert 3 * 385 <= emergency < 4 * 385
    assert 0 < social.filter(status=MemberStatus.PENDING).count() < social.count() / 5
    drill = Activation.objects.get()
    assert drill.is_drill and drill.status == "ended" and 0.5 < drill.figures["share_mobilised"] < 1

    assert forces_seed.seed() == 0


@pytest.mark.slow
def test_the_seed_links_emergency_members_to_the_households_of_their_grid():
    from registry.services import household_create

    grids_seed.seed()
    grid = Area.objects.filter(kind=AreaKind.GRID_L1).order_by("code").first()
    homes = [household_create(grid=grid, address=f"{i}号") for i in range(12)]

    forces_seed.seed()

    members = ForceMember.objects.filter(kind=ForceKind.EMERGENCY, area=grid)
    assert members.count() == 3
    linked = [set(m.households.values_list("pk", flat=True)) for m in members]
    assert all(len(s) == 4 for s in linked)  # twelve households shared out between three members
    assert set().union(*linked) == {h.pk for h in homes}
    assert forces_seed.seed() == 0
