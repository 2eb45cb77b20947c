import django_filters
from django.utils.translation import gettext_lazy as _

from core.scoping import subtree_filter

from .choices import AreaKind, GridType
from .models import Area


class AreaFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AreaKind.choices)
    grid_type = django_filters.ChoiceFilter(choices=GridType.choices)
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("parent id"))
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    is_active = django_filters.BooleanFilter()
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("code starts with"))

    class Meta:
        model = Area
        fields = ["kind", "grid_type", "parent", "within", "is_active", "code", "level"]

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        if node is None:
            return queryset.none()
        return queryset.filter(subtree_filter(node))
