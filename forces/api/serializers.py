from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.mixins import MaskedField
from grids.models import Area

from ..choices import EmergencyLevel, EmergencyType, ForceSubtype, TaskKind
from ..models import (
    Activation,
    ActivationTask,
    DutyShift,
    EmergencyPlan,
    ForceMember,
    GridLeader,
    Mobilisation,
    PlanAttachment,
)


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "kind"]


class ForceMemberSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    subtype_display = serializers.CharField(source="get_subtype_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    phone = MaskedField()
    area_name = serializers.CharField(source="area.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)

    class Meta:
        model = ForceMember
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "subtype",
            "subtype_display",
            "organisation",
            "department",
            "department_name",
            "phone",
            "area",
            "area_name",
            "extra_areas",
            "households",
            "user",
            "status",
            "status_display",
            "self_registered",
            "note",
            "created_at",
        ]


class ForceMemberWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    subtype = serializers.ChoiceField(choices=ForceSubtype.choices)
    phone = serializers.CharField(max_length=20, help_text=_("Stored encrypted; shown masked."))
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    extra_areas = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), many=True, required=False)
    organisation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(
        queryset=ForceMember._meta.get_field("department").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    user = serializers.PrimaryKeyRelatedField(
        queryset=ForceMember._meta.get_field("user").related_model.objects.all(),
        required=False,
        allow_null=True,
    )
    note = serializers.CharField(required=False, allow_blank=True)


class HouseholdLinkSerializer(serializers.Serializer):
    add = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    remove = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class GridLeaderSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = GridLeader
        fields = ["id", "area", "area_name", "member", "member_name", "assigned_by", "created_at"]
        read_only_fields = ["assigned_by", "created_at"]
        validators = []  # the pairing rules run in the service


class GridForcesSerializer(serializers.Serializer):
    def to_representation(self, forces):
        leader = forces.leader
        return {
            "area": AreaBriefSerializer(forces.area).data,
            "leader": ForceMemberSerializer(leader.member).data if leader else None,
            "members": {
                kind: ForceMemberSerializer(ms, many=True).data for kind, ms in forces.members.items()
            },
            "subtree_counts": forces.subtree_counts,
            "pending_registrations": forces.pending,
        }


class PlanAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAttachment
        fields = ["id", "plan", "title", "file", "created_at"]
        read_only_fields = ["plan", "created_at"]


class EmergencyPlanSerializer(serializers.ModelSerializer):
    attachments = PlanAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = EmergencyPlan
        fields = ["id", "name", "emergency_type", "area", "summary", "is_active", "attachments"]


class ActivationSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    emergency_type_display = serializers.CharField(source="get_emergency_type_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Activation
        fields = [
            "id",
            "title",
            "emergency_type",
            "emergency_type_display",
            "level",
            "level_display",
            "is_drill",
            "area",
            "plan",
            "description",
            "status",
            "remind_after_minutes",
            "leader_after_minutes",
            "opened_by",
            "opened_at",
            "ended_by",
            "ended_at",
            "figures",
        ]


class ActivationOpenSerializer(serializers.Serializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    emergency_type = serializers.ChoiceField(choices=EmergencyType.choices)
    level = serializers.ChoiceField(choices=EmergencyLevel.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    plan = serializers.PrimaryKeyRelatedField(
        queryset=EmergencyPlan.objects.all(), required=False, allow_null=True
    )
    is_drill = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(required=False, allow_blank=True)
    remind_after_minutes = serializers.IntegerField(required=False, min_value=1)
    leader_after_minutes = serializers.IntegerField(required=False, min_value=2)


class MobilisationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    activation_title = serializers.CharField(source="activation.title", read_only=True)

    class Meta:
        model = Mobilisation
        fields = [
            "id",
            "activation",
            "activation_title",
            "member",
            "member_name",
            "notified_at",
            "acknowledged_at",
            "checked_in_at",
            "check_in_note",
            "check_in_lng",
            "check_in_lat",
            "reminded_at",
            "leader_told_at",
        ]


class CheckInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lng = serializers.FloatField(required=False, allow_null=True, default=None)
    lat = serializers.FloatField(required=False, allow_null=True, default=None)


class DutyShiftSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "activation", "member", "member_name", "starts_at", "ends_at", "post"]


class ActivationTaskSerializer(serializers.ModelSerializer):
    assignee_name = serializers.CharField(source="assignee.name", read_only=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices)

    class Meta:
        model = ActivationTask
        fields = [
            "id",
            "activation",
            "kind",
            "title",
            "area",
            "assignee",
            "assignee_name",
            "status",
            "done_at",
            "done_note",
        ]
        read_only_fields = ["status", "done_at", "done_note"]
        extra_kwargs = {"area": {"required": False}}


class TaskDoneSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
