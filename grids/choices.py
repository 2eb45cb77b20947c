from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    DISTRICT = "district", _("district")
    SUBDISTRICT = "subdistrict", _("subdistrict")
    TOWN = "town", _("town")
    TOWNSHIP = "township", _("township")
    COMMUNITY = "community", _("community")
    VILLAGE = "village", _("village")
    GRID_L1 = "grid_l1", _("level-1 grid")
    GRID_L2 = "grid_l2", _("level-2 grid")
    GRID_L3 = "grid_l3", _("level-3 grid")


TOWN_KINDS = frozenset({AreaKind.SUBDISTRICT, AreaKind.TOWN, AreaKind.TOWNSHIP})
VILLAGE_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE})
GRID_KINDS = frozenset({AreaKind.GRID_L1, AreaKind.GRID_L2, AreaKind.GRID_L3})

# Who may be whose parent (DOMAIN §3).
ALLOWED_PARENTS: dict[str, frozenset] = {
    AreaKind.DISTRICT: frozenset(),
    AreaKind.SUBDISTRICT: frozenset({AreaKind.DISTRICT}),
    AreaKind.TOWN: frozenset({AreaKind.DISTRICT}),
    AreaKind.TOWNSHIP: frozenset({AreaKind.DISTRICT}),
    AreaKind.COMMUNITY: TOWN_KINDS,
    AreaKind.VILLAGE: TOWN_KINDS,
    AreaKind.GRID_L1: VILLAGE_KINDS,
    AreaKind.GRID_L2: frozenset({AreaKind.GRID_L1}),
    AreaKind.GRID_L3: frozenset({AreaKind.GRID_L2}),
}

# The segment of the statistical division code each kind owns (DOMAIN §3 and the national rules).
CODE_SEGMENT_RANGES: dict[str, tuple[int, int]] = {
    AreaKind.SUBDISTRICT: (1, 99),
    AreaKind.TOWN: (100, 199),
    AreaKind.TOWNSHIP: (200, 399),
    AreaKind.COMMUNITY: (1, 199),
    AreaKind.VILLAGE: (200, 399),
    AreaKind.GRID_L1: (1, 999),
    AreaKind.GRID_L2: (1, 999),
    AreaKind.GRID_L3: (1, 999),
}

CODE_LENGTHS: dict[str, int] = {
    AreaKind.DISTRICT: 6,
    AreaKind.SUBDISTRICT: 12,
    AreaKind.TOWN: 12,
    AreaKind.TOWNSHIP: 12,
    AreaKind.COMMUNITY: 12,
    AreaKind.VILLAGE: 12,
    AreaKind.GRID_L1: 15,
    AreaKind.GRID_L2: 18,
    AreaKind.GRID_L3: 21,
}


class GridType(models.TextChoices):
    URBAN_COMMUNITY = "urban_community", _("urban community grid")
    RURAL_COMMUNITY = "rural_community", _("rural community grid")
    VILLAGE = "village", _("village grid")
    DEDICATED = "dedicated", _("dedicated grid")


class UrbanRuralClass(models.TextChoices):
    MAIN_URBAN = "111", _("111 main urban area")
    URBAN_FRINGE = "112", _("112 urban-rural fringe")
    TOWN_CENTRE = "121", _("121 town centre")
    TOWN_FRINGE = "122", _("122 town-rural fringe")
    SPECIAL = "123", _("123 special area")
    TOWNSHIP_CENTRE = "210", _("210 township centre")
    VILLAGE = "220", _("220 village")


URBAN_CLASSES = frozenset({UrbanRuralClass.MAIN_URBAN, UrbanRuralClass.URBAN_FRINGE})


class DepartmentGridKind(models.TextChoices):
    FIRE = "fire", _("fire safety grid")
    ENVIRONMENT = "environment", _("environmental protection grid")
    ENFORCEMENT = "enforcement", _("court enforcement grid")
    POLICE = "police", _("police grid")
    MARKET = "market", _("market supervision grid")
    OTHER = "other", _("other department grid")
