import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import subtree_filter
from grids.models import Area

from .choices import OPEN_STATUSES, Level, Severity, Source, Status
from .models import Incident


class IncidentFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    level = django_filters.ChoiceFilter(choices=Level.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    category = django_filters.CharFilter(
        method="filter_category", label=_("category code (a group takes its kinds)")
    )
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    grid = django_filters.NumberFilter(field_name="grid_id")
    town = django_filters.NumberFilter(field_name="town_id")
    village = django_filters.NumberFilter(field_name="village_id")
    department = django_filters.NumberFilter(field_name="handling_department_id")
    reported_after = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__gte")
    reported_before = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__lte")
    open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    yellow_card = django_filters.BooleanFilter()
    red_card = django_filters.BooleanFilter()
    code = django_filters.CharFilter(lookup_expr="istartswith")

    class Meta:
        model = Incident
        fields = ["status", "level", "source", "severity", "category", "grid", "town", "village"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        return queryset.filter(subtree_filter(node, "grid")) if node else queryset.none()

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
