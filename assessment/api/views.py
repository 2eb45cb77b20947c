import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from assessment import selectors, services
from assessment.choices import Grade
from assessment.models import Appeal, AssessmentRun, Result, Scheme, Score, SupervisionCheck
from assessment.views import _worker_for
from core.api.permissions import ModelPermissionsOrReadOnly
from grids.models import Area

from .serializers import (
    AppealSerializer,
    CopySerializer,
    DecideSerializer,
    ReasonSerializer,
    RecordSerializer,
    ResultDetailSerializer,
    ResultSerializer,
    RunSerializer,
    SchemeSerializer,
    SchemeUpdateSerializer,
    ScoreSerializer,
    SupervisionCheckSerializer,
)


def _need(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied()


class SchemeViewSet(viewsets.ModelViewSet):
    """Assessment schemes: indicators with weights summing to 100, peer groups, grade bands."""

    permission_classes = [ModelPermissionsOrReadOnly]
    queryset = Scheme.objects.all()
    filterset_fields = ["year", "subject_type", "status"]
    ordering = ["-year", "subject_type"]

    def get_queryset(self):
        return selectors.scheme_list(user=self.request.user).prefetch_related(
            "indicators", "peer_groups", "grade_bands"
        )

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SchemeUpdateSerializer
        return SchemeSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scheme = services.scheme_create(actor=request.user, **serializer.validated_data)
        return Response(SchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        scheme = self.get_object()
        serializer = self.get_serializer(scheme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        scheme = services.scheme_update(scheme=scheme, actor=request.user, **data)
        return Response(SchemeSerializer(Scheme.objects.get(pk=scheme.pk)).data)

    def destroy(self, request, *args, **kwargs):
        """Schemes are retired, never deleted: their results point at them."""
        scheme = services.scheme_retire(scheme=self.get_object(), actor=request.user)
        return Response(SchemeSerializer(scheme).data)

    @extend_schema(request=CopySerializer, responses=SchemeSerializer)
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        _need(request, "assessment.add_scheme")
        serializer = CopySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = services.scheme_copy(scheme=self.get_object(), actor=request.user, **serializer.validated_data)
        return Response(SchemeSerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Queue a computation of the whole scheme; poll the returned version for progress."""
        _need(request, "assessment.compute_run")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.run_start(
            scheme=self.get_object(), actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunViewSet(viewsets.ReadOnlyModelViewSet):
    """Result versions with their computation progress; named transitions review, publish, freeze."""

    serializer_class = RunSerializer
    queryset = AssessmentRun.objects.all()
    filterset_fields = ["scheme", "status"]

    def get_queryset(self):
        return selectors.run_list(user=self.request.user).order_by("-created_at")

    def _transition(self, request, perm, func):
        _need(request, perm)
        return Response(RunSerializer(func(run=self.get_object(), actor=request.user)).data)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._transition(request, "assessment.review_run", services.run_review)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(request, "assessment.publish_run", services.run_publish)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def freeze(self, request, pk=None):
        return self._transition(request, "assessment.publish_run", services.run_freeze)


class ResultFilterSet(django_filters.FilterSet):
    run = django_filters.NumberFilter(field_name="run_id")
    town = django_filters.NumberFilter(field_name="town_id")
    peer_group = django_filters.CharFilter()
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    mine = django_filters.BooleanFilter(method="filter_mine")

    class Meta:
        model = Result
        fields = ["run", "town", "peer_group", "grade", "mine"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(user=self.request.user) if value else queryset


class ResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Results in the caller's jurisdiction; a worker sees only their own published results."""

    filterset_class = ResultFilterSet
    ordering_fields = ["total", "rank", "subject_code"]
    search_fields = ["subject_name", "subject_code"]
    queryset = Result.objects.all()

    def get_queryset(self):
        qs = selectors.result_list(user=self.request.user).order_by(
            "run", "peer_group", "rank", "subject_code"
        )
        if self.action == "retrieve":
            qs = qs.prefetch_related("scores__indicator")
        return qs

    def get_serializer_class(self):
        return ResultDetailSerializer if self.action == "retrieve" else ResultSerializer


class ScoreViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One score; `records` lists the records that produced it."""

    serializer_class = ScoreSerializer
    queryset = Score.objects.all()

    def get_queryset(self):
        return Score.objects.filter(result__in=selectors.result_list(user=self.request.user)).select_related(
            "indicator"
        )

    @extend_schema(responses=RecordSerializer(many=True))
    @action(detail=True, methods=["get"])
    def records(self, request, pk=None):
        rows = selectors.score_records(score=self.get_object(), user=request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RecordSerializer(page, many=True).data)


class SupervisionCheckViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Daily supervision checks on workers, grids and towns."""

    permission_classes = [ModelPermissionsOrReadOnly]
    serializer_class = SupervisionCheckSerializer
    queryset = SupervisionCheck.objects.all()
    filterset_fields = ["subject_type", "area", "checked_on"]

    def get_queryset(self):
        return selectors.check_list(user=self.request.user).order_by("-checked_on", "-id")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        area = data.get("area")
        if area is not None:
            area = get_object_or_404(Area.objects.visible_to(request.user), pk=area.pk)
        worker = None
        if data.get("worker") is not None:
            worker = _worker_for(request.user, data["worker"])
            if worker is None:
                return Response({"worker": ["not found"]}, status=status.HTTP_400_BAD_REQUEST)
        check = services.check_record(
            inspector=request.user,
            subject_type=data["subject_type"],
            area=area,
            worker=worker,
            checked_on=data["checked_on"],
            findings=data["findings"],
            points=data["points"],
            indicator_code=data.get("indicator_code", ""),
            photo=data.get("photo"),
        )
        return Response(SupervisionCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=SupervisionCheckSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        _need(request, "assessment.change_supervisioncheck")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = services.check_void(
            check=self.get_object(), reason=serializer.validated_data.get("reason", ""), actor=request.user
        )
        return Response(SupervisionCheckSerializer(check).data)


class AppealViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Appeals: a worker appeals their own published result within the window; staff decide with a reason."""

    serializer_class = AppealSerializer
    queryset = Appeal.objects.all()
    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.appeal_list(user=self.request.user).order_by("-created_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = get_object_or_404(
            selectors.result_list(user=request.user), pk=serializer.validated_data["result"].pk
        )
        appeal = services.appeal_submit(
            result=result, user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        _need(request, "assessment.decide_appeal")
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            appeal=self.get_object(), actor=request.user, **serializer.validated_data
        )
        return Response(AppealSerializer(appeal).data)
