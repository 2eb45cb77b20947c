from rest_framework import serializers

from assessment.choices import SubjectType
from assessment.models import (
    Appeal,
    AssessmentRun,
    GradeBand,
    Indicator,
    PeerGroup,
    Result,
    Scheme,
    Score,
    SupervisionCheck,
)
from grids.models import Area


class IndicatorSerializer(serializers.ModelSerializer):
    source = serializers.CharField(required=False)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "weight", "source", "formula", "params", "score_when_empty", "order"]
        read_only_fields = ["id"]
        extra_kwargs = {"order": {"required": False}}


class PeerGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeerGroup
        fields = ["id", "code", "name", "match_field", "match_value", "order"]
        read_only_fields = ["id"]
        extra_kwargs = {"order": {"required": False}}


class GradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["id", "grade", "min_score"]
        read_only_fields = ["id"]


class SchemeSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True)
    peer_groups = PeerGroupSerializer(many=True, required=False)
    grade_bands = GradeBandSerializer(many=True, required=False)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "year",
            "subject_type",
            "name",
            "description",
            "period_start",
            "period_end",
            "appeal_days",
            "status",
            "copied_from",
            "indicators",
            "peer_groups",
            "grade_bands",
        ]
        read_only_fields = ["id", "status", "copied_from"]
        extra_kwargs = {"period_start": {"required": False}, "period_end": {"required": False}}
        validators = []  # the service checks uniqueness and weights


class SchemeUpdateSerializer(SchemeSerializer):
    indicators = IndicatorSerializer(many=True, required=False)

    class Meta(SchemeSerializer.Meta):
        read_only_fields = ["id", "status", "copied_from", "subject_type"]


class CopySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000)
    name = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class RunSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.__str__", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = AssessmentRun
        fields = [
            "id",
            "scheme",
            "scheme_name",
            "version",
            "status",
            "reason",
            "based_on",
            "progress_done",
            "progress_total",
            "progress_percent",
            "progress_note",
            "started_at",
            "finished_at",
            "duration_ms",
            "reviewed_at",
            "published_at",
            "appeal_deadline",
            "frozen_at",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    weight = serializers.DecimalField(
        source="indicator.weight", max_digits=5, decimal_places=2, read_only=True
    )
    record_count = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "indicator_name",
            "weight",
            "value",
            "numerator",
            "denominator",
            "normalised",
            "weighted",
            "record_kind",
            "record_count",
        ]

    def get_record_count(self, obj) -> int:
        return len(obj.record_ids)


class ResultSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True, default="")
    run_status = serializers.CharField(source="run.status", read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "run",
            "run_status",
            "subject_type",
            "subject_id",
            "subject_code",
            "subject_name",
            "area",
            "town",
            "town_name",
            "peer_group",
            "total",
            "rank",
            "group_size",
            "grade",
        ]


class ResultDetailSerializer(ResultSerializer):
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta(ResultSerializer.Meta):
        fields = ResultSerializer.Meta.fields + ["scores"]


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    counted = serializers.BooleanField()
    missing = serializers.BooleanField()


class SupervisionCheckSerializer(serializers.ModelSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    worker = serializers.IntegerField(required=False, allow_null=True, write_only=True)
    worker_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = SupervisionCheck
        fields = [
            "id",
            "subject_type",
            "area",
            "worker",
            "worker_id",
            "inspector",
            "checked_on",
            "findings",
            "points",
            "indicator_code",
            "photo",
            "voided_at",
            "void_reason",
            "created_at",
        ]
        read_only_fields = ["id", "inspector", "voided_at", "void_reason", "created_at"]

    def validate_subject_type(self, value):
        return SubjectType(value)


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "result",
            "appellant",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "new_run",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "appellant",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "new_run",
            "created_at",
        ]


class DecideSerializer(serializers.Serializer):
    upheld = serializers.BooleanField()
    reason = serializers.CharField()
    recompute = serializers.BooleanField(default=False)
