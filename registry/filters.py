import django_filters
from django.utils.translation import gettext_lazy as _

from core.pii import keyed_hash
from core.scoping import subtree_filter
from grids.models import Area

from .choices import Gender, OrganisationKind, ResidenceType, ResidentStatus
from .models import Building, GroupMembership, House, Household, Organisation, Resident, Visit


class WithinFilterSet(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        if node is None:
            return queryset.none()
        return queryset.filter(subtree_filter(node, "grid"))


class ResidentFilterSet(WithinFilterSet):
    residence_type = django_filters.ChoiceFilter(choices=ResidenceType.choices)
    status = django_filters.ChoiceFilter(choices=ResidentStatus.choices)
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    id_number = django_filters.CharFilter(method="filter_hashed", label=_("ID number (exact)"))
    phone = django_filters.CharFilter(method="filter_hashed", label=_("phone (exact)"))

    class Meta:
        model = Resident
        fields = ["grid", "within", "household", "residence_type", "status", "gender", "id_number", "phone"]

    def filter_hashed(self, queryset, name, value):
        return queryset.filter(**{f"{name}_hash": keyed_hash(value)})


class HouseholdFilterSet(WithinFilterSet):
    class Meta:
        model = Household
        fields = ["grid", "within", "number", "residence_type"]


class BuildingFilterSet(WithinFilterSet):
    class Meta:
        model = Building
        fields = ["grid", "within", "kind"]


class HouseFilterSet(WithinFilterSet):
    class Meta:
        model = House
        fields = ["grid", "within", "building", "is_rented"]


class OrganisationFilterSet(WithinFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["grid", "within", "kind", "credit_code"]


class MembershipFilterSet(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    open = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label=_("current only"))

    class Meta:
        model = GroupMembership
        fields = ["resident", "group_type", "category", "responsible", "within", "open"]

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        return queryset.filter(subtree_filter(node, "resident__grid")) if node else queryset.none()


class VisitFilterSet(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    since = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(field_name="visited_at", lookup_expr="date__lte")

    class Meta:
        model = Visit
        fields = ["membership", "worker", "within", "since", "until", "needs_follow_up"]

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        return (
            queryset.filter(subtree_filter(node, "membership__resident__grid")) if node else queryset.none()
        )
