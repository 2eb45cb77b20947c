from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Department
from core.api.mixins import MaskedField
from grids.models import Area

from ..choices import LimitUnit, Satisfaction, Severity, Source, Supervision
from ..models import Category, ExtensionRequest, Incident, IncidentEvent, IncidentPhoto


@extend_schema_field(OpenApiTypes.STR)
class MaskedText(MaskedField):
    """The masked value (e.g. 138****8000), a string in the schema."""


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "urgent",
            "direct_to_district",
            "district_from_severity",
            "is_active",
        ]


class IncidentSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.__str__", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    town_name = serializers.CharField(source="town.name", read_only=True, default=None)
    village_name = serializers.CharField(source="village.name", read_only=True, default=None)
    handling_unit = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "code",
            "status",
            "status_display",
            "level",
            "level_display",
            "source",
            "category",
            "category_code",
            "category_name",
            "severity",
            "address",
            "latitude",
            "longitude",
            "grid",
            "grid_name",
            "village_name",
            "town_name",
            "handling_unit",
            "reported_at",
            "deadline",
            "overdue",
            "yellow_card",
            "red_card",
            "escalation_count",
            "closed_at",
            "closed_on_time",
            "satisfaction",
            "version",
        ]
        read_only_fields = fields

    def get_handling_unit(self, obj) -> str | None:
        unit = obj.handling_unit
        return str(unit) if unit is not None else None

    def get_overdue(self, obj) -> bool:
        return bool(obj.is_open and obj.deadline and obj.deadline < timezone.now())


class IncidentEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.__str__", read_only=True, default=None)
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = IncidentEvent
        fields = [
            "id",
            "at",
            "action",
            "action_display",
            "actor",
            "actor_name",
            "from_status",
            "to_status",
            "from_level",
            "to_level",
            "note",
        ]


class IncidentPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentPhoto
        fields = ["id", "stage", "url", "width", "height", "uploaded_at"]

    def get_url(self, obj) -> str:
        return reverse("incidents:photo", args=[obj.pk])


class IncidentDetailSerializer(IncidentSerializer):
    reporter_name = MaskedText()
    reporter_phone = MaskedText()
    events = IncidentEventSerializer(many=True, read_only=True)
    photos = IncidentPhotoSerializer(many=True, read_only=True)
    duplicate_of_code = serializers.CharField(source="duplicate_of.code", read_only=True, default=None)

    class Meta(IncidentSerializer.Meta):
        fields = IncidentSerializer.Meta.fields + [
            "description",
            "handling_area",
            "handling_department",
            "reporter_user",
            "reporter_name",
            "reporter_phone",
            "accept_deadline",
            "handle_deadline",
            "verify_deadline",
            "accepted_at",
            "dispatched_at",
            "handled_at",
            "verified_at",
            "evaluated_at",
            "warned_at",
            "result",
            "rework_count",
            "extension_count",
            "duplicate_of",
            "duplicate_of_code",
            "events",
            "photos",
        ]
        read_only_fields = fields


class IncidentReportSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.GENERAL)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    grid = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class PublicReportSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_active=True)
    )
    description = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version you saw; a newer one gives 409."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteRequiredSerializer(VersionedSerializer):
    note = serializers.CharField()


class MergeSerializer(VersionedSerializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())


class DispatchSerializer(VersionedSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class AssignDownSerializer(VersionedSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())


class HandleSerializer(VersionedSerializer):
    result = serializers.CharField()
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class EvaluateSerializer(VersionedSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)


class SuperviseSerializer(VersionedSerializer):
    kind = serializers.ChoiceField(choices=Supervision.choices)


class ExtensionRequestInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=6, decimal_places=2)
    unit = serializers.ChoiceField(choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS)
    reason = serializers.CharField()


class ExtensionRequestSerializer(serializers.ModelSerializer):
    incident_code = serializers.CharField(source="incident.code", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "incident",
            "incident_code",
            "amount",
            "unit",
            "reason",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PublicStatusSerializer(serializers.Serializer):
    def to_representation(self, status):
        return {
            "tracking_code": status["tracking_code"],
            "category": status["category"],
            "status": status["status"],
            "status_display": str(status["status_display"]),
            "merged": status["merged"],
            "reported_at": status["reported_at"],
            "closed_at": status["closed_at"],
            "steps": [
                {"at": s["at"], "action": str(s["action"]), "status": str(s["status"])}
                for s in status["steps"]
            ],
        }
