from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
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
    MembershipFilterSet,
    OrganisationFilterSet,
    ResidentFilterSet,
    VisitFilterSet,
)
from registry.importing import ImportRejected, export_filename, export_residents, import_residents, read_rows
from registry.models import Building, GroupMembership, House, Household, Organisation, Resident, Visit

from .serializers import (
    BuildingSerializer,
    GridFiguresSerializer,
    HouseholdDetailSerializer,
    HouseholdSerializer,
    HouseSerializer,
    ImportSerializer,
    MembershipEndSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    OrganisationSerializer,
    ResidentSerializer,
    ResidentUpdateSerializer,
    VisitDueSerializer,
    VisitRecordSerializer,
    VisitSerializer,
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


class MembershipViewSet(RegistryViewSet):
    """Special-group and care-group memberships (sensitive: view permission needed), with their visits."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["next_visit_due", "start_date"]
    queryset = GroupMembership.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.membership_list(user=self.request.user)
            .select_related("resident__grid")
            .order_by("next_visit_due", "id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.membership_create(
            resident=data["resident"],
            group_type=data["group_type"],
            responsible=data["responsible"],
            start_date=data.get("start_date"),
            visit_interval_days=data.get("visit_interval_days"),
            note=data.get("note", ""),
        )
        return self._respond(membership, status.HTTP_201_CREATED)

    @extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MembershipUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return self._respond(services.membership_update(membership=membership, **serializer.validated_data))

    @extend_schema(request=MembershipEndSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the membership (409 if it has already ended); no more visits fall due."""
        membership = self.get_object()
        if not request.user.has_perm("registry.change_groupmembership"):
            self.permission_denied(request)
        serializer = MembershipEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return self._respond(
            services.membership_end(
                membership=membership, end_date=data.get("end_date"), reason=data["reason"]
            )
        )

    @extend_schema(request=VisitRecordSerializer, responses={201: VisitSerializer})
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        """Record a visit: written as a duty log of the service role; the next visit falls due one interval later."""
        membership = self.get_object()
        if not request.user.has_perm("registry.add_visit"):
            self.permission_denied(request)
        serializer = VisitRecordSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("worker", getattr(request.user, "worker", None))
        visit = services.visit_record(membership=membership, actor=request.user, **data)
        visit = selectors.visit_list(user=request.user).get(pk=visit.pk)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits done (each one is also a duty log of the service role)."""

    permission_classes = [ModelPermissions]
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    queryset = Visit.objects.none()

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user).order_by("-visited_at", "-id")


class VisitsDueViewSet(viewsets.GenericViewSet):
    """Visits due (within the lead days) or overdue, soonest first."""

    permission_classes = [ModelPermissions]
    serializer_class = VisitDueSerializer
    queryset = GroupMembership.objects.none()

    def _area(self, request):
        area_id = request.query_params.get("area")
        return get_object_or_404(Area.objects.visible_to(request.user), pk=area_id) if area_id else None

    def _on(self, request):
        value = request.query_params.get("on")
        return parse_date(value) if value else None

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, description="Only this subtree."),
            OpenApiParameter("on", str, description="Day to compute for (YYYY-MM-DD), default today."),
        ]
    )
    def list(self, request):
        rows = selectors.visits_due(user=request.user, area=self._area(request), on=self._on(request))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(VisitDueSerializer(page, many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=False)
    def summary(self, request):
        """Counts of visits due, overdue and done in the last 30 days, and current members."""
        return Response(
            selectors.visit_summary(user=request.user, area=self._area(request), on=self._on(request))
        )
