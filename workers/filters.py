import django_filters
from django.utils.translation import gettext_lazy as _

from core.pii import keyed_hash
from core.scoping import subtree_filter
from grids.models import Area

from .choices import (
    AdmissionStatus,
    AssignmentStatus,
    Education,
    Employment,
    Gender,
    WorkerCategory,
    WorkerStatus,
)
from .models import AdmissionItem, DutyLog, TaskAssignment, Worker


class WithinFilterMixin:
    within_path = "grid"

    def filter_within(self, queryset, name, value):
        node = Area.objects.filter(pk=value).first()
        if node is None:
            return queryset.none()
        return queryset.filter(subtree_filter(node, self.within_path))


class WorkerFilterSet(WithinFilterMixin, django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    employment = django_filters.ChoiceFilter(choices=Employment.choices)
    category = django_filters.ChoiceFilter(choices=WorkerCategory.choices)
    status = django_filters.ChoiceFilter(choices=WorkerStatus.choices)
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    education = django_filters.ChoiceFilter(choices=Education.choices)
    id_number = django_filters.CharFilter(method="filter_exact_protected", label=_("ID number (exact)"))
    phone = django_filters.CharFilter(method="filter_exact_protected", label=_("phone (exact)"))

    class Meta:
        model = Worker
        fields = [
            "grid",
            "within",
            "employment",
            "category",
            "status",
            "gender",
            "education",
            "id_number",
            "phone",
        ]

    def filter_exact_protected(self, queryset, name, value):
        """Exact look-up through the keyed hash: the stored value is never decrypted to search."""
        return queryset.filter(**{f"{name}_hash": keyed_hash(value)})


class DutyLogFilterSet(WithinFilterMixin, django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = DutyLog
        fields = [
            "worker",
            "grid",
            "duty",
            "role",
            "incident",
            "resident",
            "within",
            "occurred_after",
            "occurred_before",
        ]


class AdmissionItemFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AdmissionStatus.choices)

    class Meta:
        model = AdmissionItem
        fields = ["status", "department", "role", "duty", "is_temporary"]


class TaskAssignmentFilterSet(WithinFilterMixin, django_filters.FilterSet):
    within = django_filters.NumberFilter(method="filter_within", label=_("within the subtree of (area id)"))
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)

    class Meta:
        model = TaskAssignment
        fields = ["worker", "item", "grid", "department", "assigned_level", "status", "within"]
