from rest_framework import serializers

from grids.models import Area


class AreaSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    grid_type_display = serializers.CharField(source="get_grid_type_display", read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Area
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_display",
            "parent",
            "parent_code",
            "level",
            "urban_rural_class",
            "grid_type",
            "grid_type_display",
            "households",
            "population",
            "area_km2",
            "center_lng",
            "center_lat",
            "leader",
            "is_active",
            "is_demo",
        ]
        read_only_fields = ["level", "center_lng", "center_lat", "is_demo"]


class AreaDetailSerializer(AreaSerializer):
    class Meta(AreaSerializer.Meta):
        fields = AreaSerializer.Meta.fields + ["boundary", "min_lng", "min_lat", "max_lng", "max_lat"]


class AreaWriteSerializer(serializers.ModelSerializer):
    code = serializers.CharField(
        required=False, allow_blank=True, help_text="Leave empty to take the next free code."
    )

    class Meta:
        model = Area
        fields = [
            "kind",
            "code",
            "name",
            "parent",
            "urban_rural_class",
            "grid_type",
            "households",
            "population",
            "area_km2",
            "boundary",
            "leader",
            "is_active",
        ]
        # Model-level checks run in the service, under the tree lock.
        validators = []
        extra_kwargs = {"code": {"validators": []}}


class AreaUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = [
            "name",
            "urban_rural_class",
            "grid_type",
            "households",
            "population",
            "area_km2",
            "boundary",
            "leader",
            "is_active",
        ]


class AreaMoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())


class CoverageSerializer(serializers.Serializer):
    def to_representation(self, report):
        def brief(area):
            return {"id": area.pk, "code": area.code, "name": area.name, "kind": area.kind}

        return {
            "area": brief(report.root),
            "unit_count": report.unit_count,
            "grid_count": report.grid_count,
            "guidance": {k: list(v) for k, v in report.guidance.items()},
            "units_without_grid": [brief(a) for a in report.units_without_grid],
            "outside_parent": [{"area": brief(a), "parent": brief(p)} for a, p in report.outside_parent],
            "overlapping": [
                {"a": brief(a), "b": brief(b), "overlap_area": area} for a, b, area in report.overlapping
            ],
            "size_outliers": [
                {
                    "area": brief(o["area"]),
                    "households": o["households"],
                    "population": o["population"],
                    "problems": o["problems"],
                }
                for o in report.size_outliers
            ],
        }


class DepartmentGridSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    unified_grid_codes = serializers.SlugRelatedField(
        source="unified_grids", slug_field="code", many=True, read_only=True
    )

    class Meta:
        from grids.models import DepartmentGrid

        model = DepartmentGrid
        fields = [
            "id",
            "department",
            "department_name",
            "kind",
            "code",
            "name",
            "unified_grids",
            "unified_grid_codes",
        ]
