import datetime as dt

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.permissions import ModelPermissionsOrReadOnly
from grids.models import Area
from workers import selectors, services
from workers.filters import AdmissionItemFilterSet, DutyLogFilterSet, TaskAssignmentFilterSet, WorkerFilterSet
from workers.models import AdmissionItem, Duty, DutyLog, ServiceRole, TaskAssignment, TrainingSession, Worker

from . import serializers as s


def _date_param(request, name: str, default: dt.date | None = None) -> dt.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    value = parse_date(raw) if len(raw) > 7 else parse_date(f"{raw}-01")
    if value is None:
        raise ValidationError({name: "Use YYYY-MM-DD."})
    return value


def root_for(request, param: str = "area") -> Area:
    """The subtree a report covers: ?area=<id> if visible, else the user's jurisdiction (404 outside)."""
    visible = Area.objects.visible_to(request.user)
    area_id = request.query_params.get(param)
    if area_id:
        return get_object_or_404(visible, pk=area_id)
    if request.user.jurisdiction_id:
        return get_object_or_404(visible, pk=request.user.jurisdiction_id)
    return get_object_or_404(visible.filter(parent__isnull=True)[:1])


AREA_PARAM = OpenApiParameter("area", int, description="Root of the subtree (defaults to your jurisdiction).")


class ServiceRoleViewSet(viewsets.ReadOnlyModelViewSet):
    """The five roles of a grid worker (五大员)."""

    queryset = ServiceRole.objects.all()
    serializer_class = s.ServiceRoleSerializer
    pagination_class = None


class DutyViewSet(viewsets.ReadOnlyModelViewSet):
    """The eight duties, each with the role it counts under."""

    queryset = Duty.objects.select_related("role")
    serializer_class = s.DutySerializer
    pagination_class = None


class WorkerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Grid worker profiles in the caller's jurisdiction; ID and phone numbers masked (reveal: POST /api/v1/reveal/)."""

    queryset = Worker.objects.all()
    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = WorkerFilterSet
    search_fields = ["name", "grid__name", "grid__code"]
    ordering_fields = ["name", "birth_date", "hire_date", "grid__code"]

    def get_queryset(self):
        return (
            Worker.objects.visible_to(self.request.user)
            .select_related("grid", "user")
            .order_by("grid__code", "id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return s.WorkerWriteSerializer
        if self.action in ("update", "partial_update"):
            return s.WorkerUpdateSerializer
        return s.WorkerSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        worker = services.worker_create(actor=request.user, **serializer.validated_data)
        return Response(s.WorkerSerializer(worker).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        worker = self.get_object()
        serializer = self.get_serializer(worker, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        worker = services.worker_update(worker=worker, actor=request.user, **serializer.validated_data)
        return Response(s.WorkerSerializer(worker).data)

    @extend_schema(request=s.AssignGridSerializer, responses=s.GridAssignmentSerializer)
    @action(detail=True, methods=["post"], url_path="assign-grid")
    def assign_grid(self, request, pk=None):
        worker = self.get_object()
        if not request.user.has_perm("workers.change_worker"):
            self.permission_denied(request)
        serializer = s.AssignGridSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        assignment = services.worker_assign_grid(
            worker=worker, actor=request.user, **serializer.validated_data
        )
        return Response(s.GridAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.WorkerSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """The worker leaves: grid and task assignments end today, the sign-in is switched off."""
        worker = self.get_object()
        if not request.user.has_perm("workers.change_worker"):
            self.permission_denied(request)
        return Response(s.WorkerSerializer(services.worker_leave(worker=worker, actor=request.user)).data)

    @action(detail=True)
    def history(self, request, pk=None):
        """Which grids this worker held, when."""
        worker = self.get_object()
        rows = worker.grid_assignments.select_related("grid").order_by("-start")
        return Response(s.GridAssignmentSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="Any day of the week (YYYY-MM-DD).")]
    )
    @action(detail=True)
    def workload(self, request, pk=None):
        """The worker's expected minutes of admission-list work in one week, against the cap."""
        worker = self.get_object()
        load = selectors.workload_for(
            worker=worker, week_start=_date_param(request, "week", timezone.localdate())
        )
        return Response(
            {
                "worker": worker.pk,
                "week_start": load.week_start,
                "minutes": load.minutes,
                "cap": load.cap,
                "over_cap": load.over_cap,
            }
        )

    @extend_schema(parameters=[AREA_PARAM, OpenApiParameter("week", str)])
    @action(detail=False)
    def flagged(self, request):
        """Workers above their weekly cap, heaviest first."""
        root = root_for(request) if request.query_params.get("area") else None
        week = _date_param(request, "week", timezone.localdate())
        loads = selectors.flagged_workers(user=request.user, week_start=week, root=root)
        return Response(
            [
                {
                    "worker": load.worker.pk,
                    "name": load.worker.name,
                    "grid": load.worker.grid.name if load.worker.grid else None,
                    "employment": load.worker.employment,
                    "week_start": load.week_start,
                    "minutes": load.minutes,
                    "cap": load.cap,
                }
                for load in loads
            ]
        )

    @extend_schema(
        parameters=[AREA_PARAM, OpenApiParameter("on", str, description="Ages are counted on this day.")],
        responses={200: {"type": "object"}},
    )
    @action(detail=False)
    def stats(self, request):
        """Workforce structure of a subtree: counts and percentages by gender, political status, education,
        age band, certificate level and category."""
        report = selectors.structure_report(root=root_for(request), on=_date_param(request, "on"))
        return Response(report.as_dict())


class DutyLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Duty logs (履职记录) in the caller's jurisdiction; a grid worker records their own."""

    queryset = DutyLog.objects.all()
    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = DutyLogFilterSet
    ordering_fields = ["occurred_at"]

    def get_queryset(self):
        return DutyLog.objects.visible_to(self.request.user).select_related("worker", "duty", "role", "grid")

    def get_serializer_class(self):
        return s.DutyLogWriteSerializer if self.action == "create" else s.DutyLogSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        worker = data.pop("worker", None) or getattr(request.user, "worker", None)
        if worker is None:
            raise ValidationError({"worker": "Name the worker whose work this is."})
        incident_id = data.pop("incident", None)
        if incident_id:
            from incidents.models import Incident

            data["incident"] = get_object_or_404(Incident.objects.visible_to(request.user), pk=incident_id)
        resident_id = data.pop("resident", None)
        if resident_id:
            from registry.models import Resident

            data["resident"] = get_object_or_404(Resident.objects.visible_to(request.user), pk=resident_id)
        log = services.duty_log_create(worker=worker, actor=request.user, **data)
        return Response(s.DutyLogSerializer(log).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[AREA_PARAM, OpenApiParameter("month", str, description="YYYY-MM")],
        responses={200: {"type": "object"}},
    )
    @action(detail=False)
    def summary(self, request):
        """Monthly summary per role and duty for a subtree."""
        month = _date_param(request, "month", timezone.localdate())
        return Response(selectors.duty_log_monthly_summary(root=root_for(request), month=month))


class AdmissionItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The task admission list (准入清单): propose, approve, publish, revoke; temporary items expire."""

    queryset = AdmissionItem.objects.all()
    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = AdmissionItemFilterSet
    search_fields = ["title", "description"]

    def get_queryset(self):
        qs = AdmissionItem.objects.visible_to(self.request.user).select_related("department", "role", "duty")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__actor")
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return s.AdmissionItemWriteSerializer
        if self.action == "retrieve":
            return s.AdmissionItemDetailSerializer
        return s.AdmissionItemSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["department"] = data.get("department") or request.user.department
        if data["department"] is None:
            raise ValidationError({"department": "Name the requesting department."})
        item = services.admission_item_propose(actor=request.user, **data)
        return Response(s.AdmissionItemDetailSerializer(item).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, service, serializer_class=s.NoteSerializer, **extra):
        item = self.get_object()
        if not request.user.has_perm("workers.change_admissionitem"):
            self.permission_denied(request)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = service(item=item, actor=request.user, **serializer.validated_data)
        return Response(s.AdmissionItemDetailSerializer(item).data)

    @extend_schema(request=s.NoteSerializer, responses=s.AdmissionItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._transition(request, services.admission_item_approve)

    @extend_schema(request=s.NoteSerializer, responses=s.AdmissionItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, services.admission_item_publish)

    @extend_schema(request=s.RevokeSerializer, responses=s.AdmissionItemDetailSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._transition(request, services.admission_item_revoke, s.RevokeSerializer)


class TaskAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Work given to grid workers, only from published admission items; above the cap only with an override."""

    queryset = TaskAssignment.objects.all()
    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = TaskAssignmentFilterSet

    def get_queryset(self):
        return TaskAssignment.objects.visible_to(self.request.user).select_related(
            "item", "worker", "department", "assigned_by", "override__authorised_by"
        )

    def get_serializer_class(self):
        return s.TaskAssignmentWriteSerializer if self.action == "create" else s.TaskAssignmentSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.task_assign(actor=request.user, **serializer.validated_data)
        return Response(s.TaskAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EndAssignmentSerializer, responses=s.TaskAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        if not request.user.has_perm("workers.change_taskassignment"):
            self.permission_denied(request)
        serializer = s.EndAssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.task_assignment_end(
            assignment=assignment, actor=request.user, **serializer.validated_data
        )
        return Response(s.TaskAssignmentSerializer(assignment).data)

    @extend_schema(parameters=[AREA_PARAM], responses={200: {"type": "array", "items": {"type": "object"}}})
    @action(detail=False, url_path="top-departments")
    def top_departments(self, request):
        """The departments (and levels) that assign most."""
        root = root_for(request) if request.query_params.get("area") else None
        return Response(selectors.top_assigning_departments(user=request.user, root=root))


class TrainingSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Training sessions (业务培训) and their attendance and results."""

    queryset = TrainingSession.objects.all()
    permission_classes = [ModelPermissionsOrReadOnly]
    serializer_class = s.TrainingSessionSerializer
    filterset_fields = ["topic", "area"]

    def get_queryset(self):
        return TrainingSession.objects.visible_to(self.request.user).annotate(
            attendance_count=Count("attendances")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.training_session_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.TrainingAttendanceWriteSerializer, responses=s.TrainingAttendanceSerializer(many=True)
    )
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        """GET: the attendance of the workers you can see; POST: record one worker's attendance and result."""
        session = self.get_object()
        if request.method == "POST":
            if not request.user.has_perm("workers.add_trainingattendance"):
                self.permission_denied(request)
            serializer = s.TrainingAttendanceWriteSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            row = services.training_attendance_record(
                session=session, actor=request.user, **serializer.validated_data
            )
            return Response(s.TrainingAttendanceSerializer(row).data, status=status.HTTP_201_CREATED)
        rows = session.attendances.filter(worker__in=Worker.objects.visible_to(request.user)).select_related(
            "worker"
        )
        return Response(s.TrainingAttendanceSerializer(rows, many=True).data)
