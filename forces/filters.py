import django_filters
from django.utils.translation import gettext_lazy as _

from grids.models import Area

from .choices import (
    ActivationStatus,
    EmergencyLevel,
    EmergencyType,
    ForceKind,
    ForceSubtype,
    MemberStatus,
    TaskKind,
)
from .models import Activation, ActivationTask, DutyShift, ForceMember, GridLeader, Mobilisation


def _node(value):
    return Area.objects.filter(pk=value).first()


class ForceMemberFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ForceKind.choices)
    subtype = django_filters.MultipleChoiceFilter(choices=ForceSubtype.choices)
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices)
    within = django_filters.NumberFilter(
        method="filter_within", label=_("attached within the subtree of (area id)")
    )
    area = django_filters.NumberFilter(field_name="area_id", label=_("attached to (area id)"))
    department = django_filters.NumberFilter(field_name="department_id")
    has_account = django_filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ForceMember
        fields = ["kind", "subtype", "status", "within", "area", "department", "self_registered"]

    def filter_within(self, queryset, name, value):
        node = _node(value)
        return queryset.attached_within(node) if node else queryset.none()


class GridLeaderFilterSet(django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))

    class Meta:
        model = GridLeader
        fields = ["area", "member", "within"]

    def filter_within(self, queryset, name, value):
        node = _node(value)
        return queryset.within(node) if node else queryset.none()


class ActivationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActivationStatus.choices)
    emergency_type = django_filters.ChoiceFilter(choices=EmergencyType.choices)
    level = django_filters.ChoiceFilter(choices=EmergencyLevel.choices)
    covering = django_filters.NumberFilter(
        method="filter_covering", label=_("covering any part of (area id)")
    )
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")

    class Meta:
        model = Activation
        fields = ["status", "emergency_type", "level", "is_drill", "covering", "opened_after"]

    def filter_covering(self, queryset, name, value):
        node = _node(value)
        return queryset.overlapping(node) if node else queryset.none()


class MobilisationFilterSet(django_filters.FilterSet):
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )
    checked_in = django_filters.BooleanFilter(field_name="checked_in_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Mobilisation
        fields = ["activation", "member", "acknowledged", "checked_in"]


class DutyShiftFilterSet(django_filters.FilterSet):
    class Meta:
        model = DutyShift
        fields = ["activation", "member"]


class ActivationTaskFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TaskKind.choices)

    class Meta:
        model = ActivationTask
        fields = ["activation", "assignee", "kind", "status"]
