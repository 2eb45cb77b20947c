"""Factories shared by every app's tests. Areas are created through the service, as in production."""

import factory

from accounts.models import Department, Role, User
from accounts.roles import apply_role
from grids import services as grid_services
from grids.choices import AreaKind, GridType, UrbanRuralClass
from grids.models import Area


def make_district(code: str = "511903", name: str = "恩阳区") -> Area:
    existing = Area.objects.filter(code=code).first()
    return existing or grid_services.area_create(kind=AreaKind.DISTRICT, code=code, name=name)


def make_town(district: Area | None = None, *, kind: str = AreaKind.TOWN, name: str = "", **attrs) -> Area:
    district = district or make_district()
    return grid_services.area_create(
        kind=kind, parent=district, name=name or f"镇{Area.objects.count()}", **attrs
    )


def make_village(
    town: Area, *, kind: str = AreaKind.VILLAGE, name: str = "", urban: bool = False, **attrs
) -> Area:
    if kind == AreaKind.COMMUNITY:
        attrs.setdefault(
            "urban_rural_class", UrbanRuralClass.MAIN_URBAN if urban else UrbanRuralClass.TOWN_CENTRE
        )
    else:
        attrs.setdefault("urban_rural_class", UrbanRuralClass.VILLAGE)
    return grid_services.area_create(
        kind=kind, parent=town, name=name or f"村{Area.objects.count()}", **attrs
    )


def make_grid(unit: Area, *, name: str = "", **attrs) -> Area:
    if unit.kind in (AreaKind.GRID_L1, AreaKind.GRID_L2):
        kind = AreaKind.GRID_L2 if unit.kind == AreaKind.GRID_L1 else AreaKind.GRID_L3
        attrs.setdefault("grid_type", unit.grid_type)
    else:
        kind = AreaKind.GRID_L1
        if unit.kind == AreaKind.VILLAGE:
            attrs.setdefault("grid_type", GridType.VILLAGE)
        elif unit.urban_rural_class in ("111", "112"):
            attrs.setdefault("grid_type", GridType.URBAN_COMMUNITY)
        else:
            attrs.setdefault("grid_type", GridType.RURAL_COMMUNITY)
    return grid_services.area_create(
        kind=kind, parent=unit, name=name or f"网格{Area.objects.count()}", **attrs
    )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.DISTRICT_STAFF
    password = factory.PostGenerationMethodCall("set_password", "Str0ng-Passw0rd!")
    is_staff = factory.LazyAttribute(
        lambda u: u.role in (Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF, Role.TOWN_STAFF)
    )

    @factory.post_generation
    def with_role_group(self, create, extracted, **kwargs):
        if create:
            self.save()
            apply_role(self)
