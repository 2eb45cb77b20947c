import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Role
from grids.models import Area

from .. import selectors, services
from ..choices import Source
from ..filters import IncidentFilterSet
from ..models import Category, ExtensionRequest, Incident, IncidentEvent
from . import serializers as s

SOURCE_BY_ROLE = {
    Role.GRID_WORKER: Source.GRID_WORKER,
    Role.DEPARTMENT_LIAISON: Source.DEPARTMENT,
    Role.INTEGRATOR: Source.HOTLINE,
}


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: "YYYY-MM-DD"}) from exc


PERIOD_PARAMETERS = [
    OpenApiParameter("area", int, description="Root of the subtree (defaults to everything you see)."),
    OpenApiParameter("start", str, description="First day, YYYY-MM-DD (Asia/Shanghai)."),
    OpenApiParameter("end", str, description="Last day, included."),
]


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents in your scope. Every change is a POST to one transition; invalid ones answer 409."""

    filterset_class = IncidentFilterSet
    search_fields = ["code", "address", "description"]
    ordering_fields = ["reported_at", "deadline", "code", "status"]
    ordering = ["-reported_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Incident.objects.none()

    def get_queryset(self):
        qs = selectors.incident_list(user=self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "events", queryset=IncidentEvent.objects.select_related("actor").order_by("at", "id")
                ),
                "photos",
            ).select_related("duplicate_of")
        return qs

    def get_serializer_class(self):
        return s.IncidentDetailSerializer if self.action == "retrieve" else s.IncidentSerializer

    def _detail(self, incident, code=status.HTTP_200_OK):
        fresh = (
            selectors.incident_list(user=self.request.user)
            .prefetch_related(
                Prefetch(
                    "events", queryset=IncidentEvent.objects.select_related("actor").order_by("at", "id")
                ),
                "photos",
            )
            .select_related("duplicate_of")
            .get(pk=incident.pk)
        )
        return Response(s.IncidentDetailSerializer(fresh).data, status=code)

    @extend_schema(request=s.IncidentReportSerializer, responses={201: s.IncidentDetailSerializer})
    def create(self, request):
        """Report an incident (grid worker, department, integrator). Lists possible duplicates nearby."""
        if not request.user.has_perm("incidents.add_incident"):
            self.permission_denied(request)
        data = request.data.copy() if hasattr(request.data, "copy") else dict(request.data)
        serializer = s.IncidentReportSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values["photos"] = request.FILES.getlist("photos") if request.FILES else []
        grid = values.pop("grid", None)
        if grid is not None:
            grid = get_object_or_404(Area.objects.visible_to(request.user), pk=grid.pk)
        source = values.pop("source", None) or SOURCE_BY_ROLE.get(request.user.role, Source.GRID_WORKER)
        incident = services.incident_report(reporter_user=request.user, grid=grid, source=source, **values)
        response = self._detail(incident, status.HTTP_201_CREATED)
        response.data["possible_duplicates"] = [
            {"id": d.pk, "code": d.code, "distance_m": d.distance_m} for d in incident.possible_duplicates
        ]
        return response

    def _act(self, request, serializer_class, func, **extra):
        incident = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if v is not None or k == "version"}
        func(incident=incident, actor=request.user, **values, **extra)
        return self._detail(incident)

    @extend_schema(request=s.VersionedSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, s.VersionedSerializer, services.incident_accept)

    @extend_schema(request=s.NoteRequiredSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, s.NoteRequiredSerializer, services.incident_reject)

    @extend_schema(request=s.MergeSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        incident = self.get_object()
        serializer = s.MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = get_object_or_404(self.get_queryset(), pk=serializer.validated_data["into"].pk)
        services.incident_merge(
            incident=incident,
            into=into,
            actor=request.user,
            note=serializer.validated_data["note"],
            version=serializer.validated_data.get("version"),
        )
        return self._detail(incident)

    @extend_schema(request=s.DispatchSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_to(self, request, pk=None):
        # Named dispatch_to: `dispatch` is the method every Django view already has.
        return self._act(request, s.DispatchSerializer, services.incident_dispatch)

    @extend_schema(request=s.VersionedSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(request, s.VersionedSerializer, services.incident_start)

    @extend_schema(request=s.HandleSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def handle(self, request, pk=None):
        incident = self.get_object()
        serializer = s.HandleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.incident_handle(
            incident=incident,
            actor=request.user,
            result=serializer.validated_data["result"],
            photos=request.FILES.getlist("photos") if request.FILES else [],
            version=serializer.validated_data.get("version"),
        )
        return self._detail(incident)

    @extend_schema(request=s.VersionedSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._act(request, s.VersionedSerializer, services.incident_verify)

    @extend_schema(request=s.NoteRequiredSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def rework(self, request, pk=None):
        return self._act(request, s.NoteRequiredSerializer, services.incident_rework)

    @extend_schema(request=s.VersionedSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, s.VersionedSerializer, services.incident_close)

    @extend_schema(request=s.EvaluateSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        return self._act(request, s.EvaluateSerializer, services.incident_evaluate)

    @extend_schema(request=s.NoteRequiredSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_dispatcher(self, request, pk=None):
        return self._act(request, s.NoteRequiredSerializer, services.incident_return)

    @extend_schema(request=s.NoteRequiredSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._act(request, s.NoteRequiredSerializer, services.incident_escalate)

    @extend_schema(request=s.AssignDownSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"], url_path="assign-down")
    def assign_down(self, request, pk=None):
        return self._act(request, s.AssignDownSerializer, services.incident_assign_down)

    @extend_schema(request=s.SuperviseSerializer, responses=s.IncidentDetailSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        return self._act(request, s.SuperviseSerializer, services.incident_supervise)

    @extend_schema(request=s.ExtensionRequestInputSerializer, responses={201: s.ExtensionRequestSerializer})
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        incident = self.get_object()
        serializer = s.ExtensionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.incident_request_extension(
            incident=incident, actor=request.user, **serializer.validated_data
        )
        return Response(s.ExtensionRequestSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.IncidentSerializer(many=True))
    @action(detail=True)
    def duplicates(self, request, pk=None):
        """Open incidents of the same category nearby, reported within the duplicate window."""
        incident = self.get_object()
        found = services.possible_duplicates(
            category=incident.category,
            latitude=incident.latitude,
            longitude=incident.longitude,
            at=incident.reported_at,
            exclude_pk=incident.pk,
        )
        visible = set(self.get_queryset().filter(pk__in=[d.pk for d in found]).values_list("pk", flat=True))
        rows = [d for d in found if d.pk in visible]
        data = s.IncidentSerializer(rows, many=True).data
        for row, item in zip(data, rows, strict=True):
            row["distance_m"] = item.distance_m
        return Response(data)

    def _area(self, request):
        area_id = request.query_params.get("area")
        if not area_id:
            return None
        return get_object_or_404(Area.objects.visible_to(request.user), pk=area_id)

    @extend_schema(responses=s.IncidentSerializer(many=True))
    @action(detail=False)
    def todo(self, request):
        """What waits for you: steps at your level if you dispatch, work for your unit if you handle."""
        page = self.paginate_queryset(self.filter_queryset(selectors.incident_todo(user=request.user)))
        return self.get_paginated_response(s.IncidentSerializer(page, many=True).data)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: {"type": "object"}})
    @action(detail=False)
    def figures(self, request):
        """Closure, on-time, acceptance, handling, rework, extension, satisfaction and grid-level figures."""
        figures = selectors.incident_figures(
            user=request.user,
            area=self._area(request),
            start=_date(request.query_params.get("start"), "start"),
            end=_date(request.query_params.get("end"), "end"),
        )
        return Response({k: (str(v) if hasattr(v, "quantize") else v) for k, v in figures.items()})

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("by", str, enum=sorted(selectors.BREAKDOWNS))],
        responses={200: {"type": "array"}},
    )
    @action(detail=False)
    def breakdown(self, request):
        by = request.query_params.get("by", "category")
        if by not in selectors.BREAKDOWNS:
            raise ValidationError({"by": sorted(selectors.BREAKDOWNS)})
        return Response(
            selectors.incident_breakdown(
                user=request.user,
                by=by,
                area=self._area(request),
                start=_date(request.query_params.get("start"), "start"),
                end=_date(request.query_params.get("end"), "end"),
            )
        )

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: {"type": "array"}})
    @action(detail=False)
    def daily(self, request):
        end = _date(request.query_params.get("end"), "end") or dt.date.today()
        start = _date(request.query_params.get("start"), "start") or end - dt.timedelta(days=29)
        if (end - start).days > 366:
            raise ValidationError({"start": "at most one year"})
        return Response(
            selectors.incident_daily(user=request.user, area=self._area(request), start=start, end=end)
        )


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The coded two-level category list."""

    serializer_class = s.CategorySerializer
    filterset_fields = ["parent", "is_active", "urgent", "direct_to_district"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        return Category.objects.all().order_by("code")


class ExtensionRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Extension requests in your scope; a dispatcher approves or refuses them."""

    serializer_class = s.ExtensionRequestSerializer
    filterset_fields = ["status", "incident"]

    def get_queryset(self):
        visible = Incident.objects.visible_to(self.request.user)
        return ExtensionRequest.objects.filter(incident__in=visible).select_related("incident")

    def _decide(self, request, approve: bool):
        extension = self.get_object()
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.incident_decide_extension(
            extension=extension, actor=request.user, approve=approve, note=serializer.validated_data["note"]
        )
        return Response(s.ExtensionRequestSerializer(extension).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=s.DecisionSerializer, responses=s.ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(request, False)


class PublicReportView(APIView):
    """随手拍 for apps: anyone may report, with a position and an optional phone; rate-limited per client."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public_report"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=s.PublicReportSerializer, responses={201: {"type": "object"}})
    def post(self, request):
        serializer = s.PublicReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values["photos"] = request.FILES.getlist("photos") if request.FILES else []
        incident = services.incident_report(source=Source.RESIDENT, **values)
        return Response(
            {"tracking_code": incident.tracking_code, "status": incident.status},
            status=status.HTTP_201_CREATED,
        )


class PublicStatusView(APIView):
    """Progress of a public report by its tracking code: the steps, no personal data."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon"

    @extend_schema(responses=s.PublicStatusSerializer)
    def get(self, request, tracking_code):
        found = selectors.incident_public_status(tracking_code=tracking_code)
        if found is None:
            return Response({"detail": "not found"}, status=status.HTTP_404_NOT_FOUND)
        return Response(s.PublicStatusSerializer(found).data)
