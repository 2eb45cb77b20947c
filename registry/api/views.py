from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from grids.choices import GRID_KINDS
from grids.models import Area
from registry import selectors, services
from registry.choices import ResidentStatus
from registry.filters import (
    BuildingFilterSet,
    HouseFilterSet,
    HouseholdFilterSet,
    OrganisationFilterSet,
    ResidentFilterSet,
)
from registry.importing import ImportRejected, export_filename, export_residents, import_residents, read_rows
from registry.models import Building, House, Household, Organisation, Resident

from .serializers import (
    BuildingSerializer,
    GridFiguresSerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    HouseSerializer,
    ImportSerializer,
    OrganisationSerializer,
    ResidentSerializer,
    ResidentUpdateSerializer,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ModelPermissions(DjangoModelPermissions):
    """Personal data: reading needs the view permission too (scoping then narrows the rows)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
    perms_map["HEAD"] = perms_map["GET"]


class RegistryViewSet(viewsets.ModelViewSet):
    """Create and update go through the registry services; rows outside the jurisdiction are 404."""

    permission_classes = [ModelPermissions]
    create_service = None
    update_service = None
    update_kwarg = ""
    detail_serializer_class = None
    m2m_fields: tuple[str, ...] = ()

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    def _respond(self, obj, code=status.HTTP_200_OK):
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_service(**serializer.validated_data)
        return self._respond(obj, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        obj = type(self).update_service(**{self.update_kwarg: instance}, **serializer.validated_data)
        return self._respond(obj)


class ResidentViewSet(RegistryViewSet):
    """Residents (registered and floating population); ID and phone numbers are returned masked only."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentFilterSet
    search_fields = ["name", "address"]
    ordering_fields = ["name", "birth_date", "created_at"]
    queryset = Resident.objects.none()
    create_service = staticmethod(services.resident_create)
    update_service = staticmethod(services.resident_update)
    update_kwarg = "resident"

    def get_queryset(self):
        return (
            Resident.objects.visible_to(self.request.user)
            .select_related("grid")
            .order_by("grid_id", "name", "id")
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ResidentUpdateSerializer
        return super().get_serializer_class()

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=False)
    def export(self, request):
        """The (filtered) residents as Excel: masked unless you hold the reveal permission; recorded."""
        queryset = self.filter_queryset(self.get_queryset())
        response = HttpResponse(export_residents(user=request.user, queryset=queryset), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        return response

    @extend_schema(request={"multipart/form-data": ImportSerializer}, responses={201: dict, 400: dict})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_file(self, request):
        """Import residents and households from Excel: one bad row imports nothing; duplicates are reported."""
        if not request.user.has_perm("registry.add_resident"):
            self.permission_denied(request)
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = import_residents(
                user=request.user, rows=read_rows(serializer.validated_data["file"].read())
            )
        except ImportRejected as exc:
            return Response(
                {
                    "imported": False,
                    "errors": [{"row": e.row, "message": e.message} for e in exc.errors],
                    "duplicates": [{"row": d.row, "message": d.message} for d in exc.duplicates],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "imported": True,
                "residents_created": result.residents_created,
                "households_created": result.households_created,
                "duplicates": [{"row": d.row, "message": d.message} for d in result.duplicates],
            },
            status=status.HTTP_201_CREATED,
        )


class HouseholdViewSet(RegistryViewSet):
    serializer_class = HouseholdSerializer
    detail_serializer_class = HouseholdDetailSerializer
    filterset_class = HouseholdFilterSet
    search_fields = ["number", "address"]
    ordering_fields = ["number", "address"]
    queryset = Household.objects.none()
    create_service = staticmethod(services.household_create)
    update_service = staticmethod(services.household_update)
    update_kwarg = "household"

    def get_queryset(self):
        qs = (
            Household.objects.visible_to(self.request.user)
            .select_related("grid", "head")
            .annotate(member_count=Count("members", filter=Q(members__status=ResidentStatus.ACTIVE)))
            .order_by("grid_id", "address", "id")
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("members", queryset=Resident.objects.order_by("id")))
        return qs

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        head = data.pop("head", None)
        household = services.household_create(**data)
        if head is not None:
            services.household_add_member(household=household, resident=head)
            services.household_set_head(household=household, resident=head)
        return self._respond(household, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        serializer = self.get_serializer(household, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        head = data.pop("head", None)
        household = services.household_update(household=household, **data)
        if head is not None:
            services.household_set_head(household=household, resident=head)
        return self._respond(household)


class BuildingViewSet(RegistryViewSet):
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    search_fields = ["name", "address"]
    queryset = Building.objects.none()
    create_service = staticmethod(services.building_create)
    update_service = staticmethod(services.building_update)
    update_kwarg = "building"

    def get_queryset(self):
        return selectors.building_list(user=self.request.user).order_by("grid_id", "name", "id")


class HouseViewSet(RegistryViewSet):
    serializer_class = HouseSerializer
    filterset_class = HouseFilterSet
    search_fields = ["address", "number"]
    queryset = House.objects.none()
    create_service = staticmethod(services.house_create)
    update_service = staticmethod(services.house_update)
    update_kwarg = "house"

    def get_queryset(self):
        return (
            House.objects.visible_to(self.request.user)
            .select_related("grid")
            .prefetch_related(Prefetch("tenants", queryset=Resident.objects.only("id")))
            .order_by("grid_id", "address", "number", "id")
        )


class OrganisationViewSet(RegistryViewSet):
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    search_fields = ["name", "credit_code", "address"]
    queryset = Organisation.objects.none()
    create_service = staticmethod(services.organisation_create)
    update_service = staticmethod(services.organisation_update)
    update_kwarg = "organisation"

    def get_queryset(self):
        return (
            Organisation.objects.visible_to(self.request.user)
            .select_related("grid")
            .order_by("grid_id", "name", "id")
        )


class GridFiguresViewSet(viewsets.GenericViewSet):
    """Households and population per grid, from the registry where it has records, else as entered."""

    serializer_class = GridFiguresSerializer
    queryset = Area.objects.none()
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "area", int, description="Grids under this area (defaults to your jurisdiction)."
            )
        ],
        responses=GridFiguresSerializer(many=True),
    )
    def list(self, request):
        visible = Area.objects.visible_to(request.user)
        root_id = request.query_params.get("area") or request.user.jurisdiction_id
        root = (
            get_object_or_404(visible, pk=root_id) if root_id else visible.filter(parent__isnull=True).first()
        )
        if root is None:
            return Response([])
        grids = list(
            root.get_descendants(include_self=True)
            .filter(kind__in=GRID_KINDS, is_active=True)
            .order_by("code")[:2000]
        )
        figures = selectors.grid_figures(grids)
        rows = [{"id": g.pk, "code": g.code, "name": g.name, **vars(figures[g.pk])} for g in grids]
        return Response(GridFiguresSerializer(rows, many=True).data)
