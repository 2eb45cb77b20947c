from rest_framework import serializers

from core.api.mixins import MaskedField
from grids.choices import GRID_KINDS
from grids.models import Area
from registry.choices import VisitMethod
from registry.models import Building, GroupMembership, House, Household, Organisation, Resident, Visit
from workers.models import Worker


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """Only rows the caller can see may be linked: anything else is 'does not exist'."""

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.context["request"].user)
        if self.model is Area:
            qs = qs.filter(kind__in=GRID_KINDS, is_active=True)
        return qs


class GridBrief(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name"]


class ResidentSerializer(serializers.ModelSerializer):
    grid = VisibleRelatedField(Area)
    household = VisibleRelatedField(Household, required=False, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    id_number = serializers.CharField(
        write_only=True, help_text="18 characters; shown masked as id_number_masked."
    )
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    id_number_masked = MaskedField(source="id_number")
    phone_masked = MaskedField(source="phone")
    residence_type_display = serializers.CharField(source="get_residence_type_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "grid",
            "grid_name",
            "name",
            "gender",
            "birth_date",
            "ethnicity",
            "id_number",
            "id_number_masked",
            "phone",
            "phone_masked",
            "residence_type",
            "residence_type_display",
            "household",
            "relation_to_head",
            "address",
            "registered_address",
            "moved_in_on",
            "status",
            "status_display",
            "note",
        ]
        # Model checks (ID number, uniqueness through the keyed hash) run in the service.
        validators = []


class ResidentUpdateSerializer(ResidentSerializer):
    id_number = serializers.CharField(write_only=True, required=False)


class MemberBrief(serializers.ModelSerializer):
    class Meta:
        model = Resident
        fields = ["id", "name", "relation_to_head", "status"]


class HouseholdSerializer(serializers.ModelSerializer):
    grid = VisibleRelatedField(Area)
    head = VisibleRelatedField(Resident, required=False, allow_null=True)
    house = VisibleRelatedField(House, required=False, allow_null=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    head_name = serializers.CharField(source="head.name", read_only=True, default=None)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "grid",
            "grid_name",
            "number",
            "address",
            "residence_type",
            "head",
            "head_name",
            "house",
            "member_count",
            "note",
        ]
        validators = []


class HouseholdDetailSerializer(HouseholdSerializer):
    members = MemberBrief(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = HouseholdSerializer.Meta.fields + ["members"]


class BuildingSerializer(serializers.ModelSerializer):
    grid = VisibleRelatedField(Area)
    house_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = ["id", "grid", "name", "address", "kind", "floors", "longitude", "latitude", "house_count"]


class HouseSerializer(serializers.ModelSerializer):
    grid = VisibleRelatedField(Area)
    building = VisibleRelatedField(Building, required=False, allow_null=True)
    owner = VisibleRelatedField(Resident, required=False, allow_null=True)
    tenants = VisibleRelatedField(Resident, many=True, required=False)

    class Meta:
        model = House
        fields = [
            "id",
            "grid",
            "building",
            "number",
            "address",
            "owner",
            "owner_name",
            "floor_area_m2",
            "is_rented",
            "tenants",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    grid = VisibleRelatedField(Area)
    building = VisibleRelatedField(Building, required=False, allow_null=True)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    contact_phone_masked = MaskedField(source="contact_phone")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "grid",
            "name",
            "kind",
            "kind_display",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "employees",
            "building",
        ]
        validators = []


class GridFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    households = serializers.IntegerField(allow_null=True)
    population = serializers.IntegerField(allow_null=True)
    households_source = serializers.CharField()
    population_source = serializers.CharField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField()


class MembershipSerializer(serializers.ModelSerializer):
    resident = VisibleRelatedField(Resident)
    responsible = VisibleRelatedField(Worker)
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    grid = serializers.IntegerField(source="resident.grid_id", read_only=True)
    grid_name = serializers.CharField(source="resident.grid.name", read_only=True)
    responsible_name = serializers.CharField(source="responsible.name", read_only=True)
    group_type_display = serializers.CharField(source="get_group_type_display", read_only=True)
    visit_interval_days = serializers.IntegerField(
        required=False, min_value=1, help_text="Leave out for the group's default frequency."
    )

    class Meta:
        model = GroupMembership
        fields = [
            "id",
            "resident",
            "resident_name",
            "grid",
            "grid_name",
            "group_type",
            "group_type_display",
            "category",
            "start_date",
            "end_date",
            "end_reason",
            "responsible",
            "responsible_name",
            "visit_interval_days",
            "next_visit_due",
            "note",
        ]
        read_only_fields = ["category", "end_date", "end_reason", "next_visit_due"]
        validators = []


class MembershipUpdateSerializer(serializers.Serializer):
    responsible = VisibleRelatedField(Worker, required=False)
    visit_interval_days = serializers.IntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True)


class MembershipEndSerializer(serializers.Serializer):
    end_date = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class VisitDueSerializer(MembershipSerializer):
    visit_status = serializers.CharField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)

    class Meta(MembershipSerializer.Meta):
        fields = MembershipSerializer.Meta.fields + ["visit_status", "days_overdue"]


class VisitSerializer(serializers.ModelSerializer):
    resident = serializers.IntegerField(source="membership.resident_id", read_only=True)
    resident_name = serializers.CharField(source="membership.resident.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "membership",
            "resident",
            "resident_name",
            "worker",
            "worker_name",
            "visited_at",
            "method",
            "due_date",
            "on_time",
            "finding",
            "needs_follow_up",
            "duty_log",
        ]
        read_only_fields = fields


class VisitRecordSerializer(serializers.Serializer):
    worker = VisibleRelatedField(
        Worker, required=False, help_text="Defaults to your own profile or the responsible worker."
    )
    visited_at = serializers.DateTimeField(required=False)
    method = serializers.ChoiceField(choices=VisitMethod.choices, default=VisitMethod.HOME)
    finding = serializers.CharField(required=False, allow_blank=True, default="")
    needs_follow_up = serializers.BooleanField(required=False, default=False)
