from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import ModelPermissionsOrReadOnly
from grids import selectors, services
from grids.filters import AreaFilterSet
from grids.models import Area, DepartmentGrid

from .serializers import (
    AreaDetailSerializer,
    AreaMoveSerializer,
    AreaSerializer,
    AreaUpdateSerializer,
    AreaWriteSerializer,
    CoverageSerializer,
    DepartmentGridSerializer,
)


class AreaViewSet(viewsets.ModelViewSet):
    """The area tree: district → town → village → level-1/2/3 grid, narrowed to the caller's jurisdiction."""

    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = AreaFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "households", "population", "lft"]
    ordering = ["tree_id", "lft"]
    queryset = Area.objects.all()

    def get_queryset(self):
        return Area.objects.visible_to(self.request.user).select_related("parent")

    def get_serializer_class(self):
        if self.action == "create":
            return AreaWriteSerializer
        if self.action in ("update", "partial_update"):
            return AreaUpdateSerializer
        if self.action == "retrieve":
            return AreaDetailSerializer
        return AreaSerializer

    def _visible_parent(self, parent):
        if parent is None:
            return None
        return get_object_or_404(Area.objects.visible_to(self.request.user), pk=parent.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["parent"] = self._visible_parent(data.get("parent"))
        area = services.area_create(**data)
        return Response(AreaDetailSerializer(area).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        area = self.get_object()
        serializer = self.get_serializer(area, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        area = services.area_update(area=area, **serializer.validated_data)
        return Response(AreaDetailSerializer(area).data)

    def destroy(self, request, *args, **kwargs):
        """Retires the node and its subtree; nodes are never deleted, so codes are never reused."""
        area = services.area_retire(area=self.get_object())
        return Response(AreaDetailSerializer(area).data)

    @extend_schema(request=AreaMoveSerializer, responses=AreaDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        area = self.get_object()
        if not request.user.has_perm("grids.change_area"):
            self.permission_denied(request)
        serializer = AreaMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = self._visible_parent(serializer.validated_data["parent"])
        return Response(AreaDetailSerializer(services.area_move(area=area, new_parent=parent)).data)

    def _paged(self, queryset):
        queryset = self.filter_queryset(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AreaSerializer(page, many=True).data)

    @action(detail=True)
    def children(self, request, pk=None):
        return self._paged(self.get_queryset().filter(parent_id=self.get_object().pk))

    @action(detail=True)
    def descendants(self, request, pk=None):
        area = self.get_object()
        return self._paged(
            self.get_queryset().filter(tree_id=area.tree_id, lft__gt=area.lft, rght__lt=area.rght)
        )

    @action(detail=True)
    def path(self, request, pk=None):
        """From the root down to this node (ancestors outside the caller's scope included by name only)."""
        area = self.get_object()
        ancestors = area.get_ancestors(include_self=True).select_related("parent")
        return Response(AreaSerializer(ancestors, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, description="Root of the subtree (defaults to your jurisdiction).")
        ],
        responses=CoverageSerializer,
    )
    @action(detail=False)
    def coverage(self, request):
        """Coverage and size report: villages without a grid, boundaries outside the parent, overlaps, sizes."""
        root_id = request.query_params.get("area")
        if root_id:
            root = get_object_or_404(self.get_queryset(), pk=root_id)
        else:
            root = request.user.jurisdiction or Area.objects.root_nodes().first()
            if root is None:
                return Response({"detail": "the tree is empty"}, status=status.HTTP_404_NOT_FOUND)
            root = get_object_or_404(self.get_queryset(), pk=root.pk)
        return Response(CoverageSerializer(selectors.coverage_report(root=root)).data)

    @action(detail=False)
    def geojson(self, request):
        """A GeoJSON FeatureCollection of the (filtered) areas, for maps."""
        qs = self.filter_queryset(self.get_queryset()).exclude(boundary__isnull=True)
        features = [
            {
                "type": "Feature",
                "geometry": a.boundary,
                "properties": {
                    "id": a.pk,
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                    "grid_type": a.grid_type,
                },
            }
            for a in qs.select_related(None).only("id", "code", "name", "kind", "grid_type", "boundary")[
                :5000
            ]
        ]
        return Response({"type": "FeatureCollection", "features": features})


class DepartmentGridViewSet(viewsets.ReadOnlyModelViewSet):
    """Department grids (fire, environment, court enforcement…) and the unified grids they map onto (多网合一)."""

    serializer_class = DepartmentGridSerializer
    filterset_fields = ["department", "kind"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DepartmentGrid.objects.none()
        visible = Area.objects.visible_to(self.request.user)
        qs = DepartmentGrid.objects.select_related("department").prefetch_related("unified_grids")
        if self.request.user.is_superuser or self.request.user.sees_whole_district:
            return qs.order_by("department", "code")
        return qs.filter(unified_grids__in=visible).distinct().order_by("department", "code")
