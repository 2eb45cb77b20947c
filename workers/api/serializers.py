from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.mixins import MaskedField
from grids.models import Area
from workers.choices import Frequency
from workers.models import (
    AdmissionItem,
    AdmissionItemEvent,
    Duty,
    DutyLog,
    GridAssignment,
    ServiceRole,
    TaskAssignment,
    TrainingAttendance,
    TrainingSession,
    Worker,
    WorkloadOverride,
)


@extend_schema_field(OpenApiTypes.INT)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference that must be visible to the caller: anything else reads as "does not exist"."""

    def __init__(self, model=None, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.visible_to(request.user if request else None)


class WorkerAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name"]


class ServiceRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceRole
        fields = ["id", "code", "name", "order"]


class DutySerializer(serializers.ModelSerializer):
    role_code = serializers.CharField(source="role.code", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)

    class Meta:
        model = Duty
        fields = ["id", "number", "code", "name", "description", "role", "role_code", "role_name"]


class WorkerSerializer(serializers.ModelSerializer):
    """Read: ID and phone numbers are masked; the reveal endpoint shows them in full with a reason."""

    phone = MaskedField()
    id_number = MaskedField()
    age = serializers.IntegerField(read_only=True)
    grid = WorkerAreaSerializer(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = Worker
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "age",
            "political_status",
            "education",
            "phone",
            "id_number",
            "employment",
            "category",
            "grid",
            "hire_date",
            "certificate_level",
            "status",
            "username",
        ]


class WorkerWriteSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True)
    grid = ScopedRelatedField(model=Area, required=False, allow_null=True)

    class Meta:
        model = Worker
        fields = [
            "name",
            "gender",
            "birth_date",
            "political_status",
            "education",
            "phone",
            "id_number",
            "employment",
            "category",
            "grid",
            "hire_date",
            "certificate_level",
            "status",
        ]
        validators = []  # the service validates the whole profile


class WorkerUpdateSerializer(WorkerWriteSerializer):
    class Meta(WorkerWriteSerializer.Meta):
        fields = [f for f in WorkerWriteSerializer.Meta.fields if f != "grid"]


class AssignGridSerializer(serializers.Serializer):
    grid = ScopedRelatedField(model=Area)
    start = serializers.DateField(required=False)


class GridAssignmentSerializer(serializers.ModelSerializer):
    grid = WorkerAreaSerializer(read_only=True)

    class Meta:
        model = GridAssignment
        fields = ["id", "worker", "grid", "start", "end"]


class DutyLogSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    duty_name = serializers.CharField(source="duty.name", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    grid = WorkerAreaSerializer(read_only=True)

    class Meta:
        model = DutyLog
        fields = [
            "id",
            "worker",
            "worker_name",
            "duty",
            "duty_name",
            "role",
            "role_name",
            "grid",
            "occurred_at",
            "place",
            "note",
            "incident",
            "resident",
            "recorded_by",
            "created_at",
        ]


class DutyLogWriteSerializer(serializers.Serializer):
    worker = ScopedRelatedField(
        model=Worker, required=False, help_text="Defaults to the signed-in grid worker's own profile."
    )
    duty = serializers.PrimaryKeyRelatedField(queryset=Duty.objects.select_related("role"))
    grid = ScopedRelatedField(model=Area, required=False, allow_null=True)
    occurred_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True)
    incident = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of an incident you can see"
    )
    resident = serializers.IntegerField(
        required=False, allow_null=True, help_text="id of a resident you can see"
    )


class AdmissionItemEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None)

    class Meta:
        model = AdmissionItemEvent
        fields = ["status", "actor", "note", "at"]


class AdmissionItemSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    role_name = serializers.CharField(source="role.name", read_only=True)
    duty_name = serializers.CharField(source="duty.name", read_only=True)
    weekly_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = AdmissionItem
        fields = [
            "id",
            "title",
            "description",
            "department",
            "department_name",
            "role",
            "role_name",
            "duty",
            "duty_name",
            "minutes_per_occurrence",
            "frequency",
            "occurrences_per_period",
            "weekly_minutes",
            "valid_from",
            "valid_until",
            "is_temporary",
            "status",
            "approved_at",
            "published_at",
            "revoked_at",
            "expired_at",
            "created_at",
        ]
        read_only_fields = ["status", "approved_at", "published_at", "revoked_at", "expired_at", "created_at"]


class AdmissionItemDetailSerializer(AdmissionItemSerializer):
    events = AdmissionItemEventSerializer(many=True, read_only=True)

    class Meta(AdmissionItemSerializer.Meta):
        fields = AdmissionItemSerializer.Meta.fields + ["events"]


class AdmissionItemWriteSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=AdmissionItem._meta.get_field("department").related_model.objects.all(),
        required=False,
        help_text="Defaults to your own department.",
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices)

    class Meta:
        model = AdmissionItem
        fields = [
            "title",
            "description",
            "department",
            "role",
            "duty",
            "minutes_per_occurrence",
            "frequency",
            "occurrences_per_period",
            "valid_from",
            "valid_until",
            "is_temporary",
        ]
        validators = []


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField()


class WorkloadOverrideSerializer(serializers.ModelSerializer):
    authorised_by = serializers.CharField(source="authorised_by.username", read_only=True)

    class Meta:
        model = WorkloadOverride
        fields = ["authorised_by", "reason", "week_start", "workload_minutes", "cap_minutes", "created_at"]


class TaskAssignmentSerializer(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)
    assigned_by = serializers.CharField(source="assigned_by.username", read_only=True, default=None)
    override = WorkloadOverrideSerializer(read_only=True, default=None)

    class Meta:
        model = TaskAssignment
        fields = [
            "id",
            "item",
            "item_title",
            "worker",
            "worker_name",
            "grid",
            "assigned_by",
            "assigned_level",
            "department",
            "department_name",
            "start_date",
            "end_date",
            "weekly_minutes",
            "note",
            "status",
            "override",
            "created_at",
        ]


class TaskAssignmentWriteSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(queryset=AdmissionItem.objects.all())
    worker = ScopedRelatedField(model=Worker)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed (with the permission) above the weekly cap."
    )


class EndAssignmentSerializer(serializers.Serializer):
    end_date = serializers.DateField(required=False)


class TrainingAttendanceSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)

    class Meta:
        model = TrainingAttendance
        fields = ["id", "session", "worker", "worker_name", "attended", "result", "score", "note"]
        read_only_fields = ["session"]


class TrainingAttendanceWriteSerializer(serializers.Serializer):
    worker = ScopedRelatedField(model=Worker)
    attended = serializers.BooleanField(default=True)
    result = serializers.ChoiceField(
        choices=TrainingAttendance._meta.get_field("result").choices, default="pending"
    )
    score = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class TrainingSessionSerializer(serializers.ModelSerializer):
    attendance_count = serializers.IntegerField(read_only=True, default=None)
    area = ScopedRelatedField(model=Area, required=False, allow_null=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "topic",
            "title",
            "held_on",
            "hours",
            "place",
            "organiser",
            "area",
            "attendance_count",
        ]
