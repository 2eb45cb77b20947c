from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api.permissions import ModelPermissionsOrReadOnly
from grids.models import Area

from .. import selectors, services
from ..filters import (
    ActivationFilterSet,
    ActivationTaskFilterSet,
    DutyShiftFilterSet,
    ForceMemberFilterSet,
    GridLeaderFilterSet,
    MobilisationFilterSet,
)
from ..models import (
    Activation,
    ActivationTask,
    DutyShift,
    EmergencyPlan,
    ForceMember,
    GridLeader,
    Mobilisation,
)
from .serializers import (
    ActivationOpenSerializer,
    ActivationSerializer,
    ActivationTaskSerializer,
    CheckInSerializer,
    DutyShiftSerializer,
    EmergencyPlanSerializer,
    ForceMemberSerializer,
    ForceMemberWriteSerializer,
    GridForcesSerializer,
    GridLeaderSerializer,
    HouseholdLinkSerializer,
    MobilisationSerializer,
    PlanAttachmentSerializer,
    ReviewSerializer,
    TaskDoneSerializer,
)


def _visible_area(request, area):
    return get_object_or_404(Area.objects.visible_to(request.user), pk=area.pk)


class ForceMemberViewSet(viewsets.ModelViewSet):
    """Members of the four forces (standing, embedded, emergency, social) in the caller's jurisdiction.

    DELETE retires a member; phones are shown masked (reveal through /api/v1/reveal/).
    """

    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = ForceMemberFilterSet
    search_fields = ["name", "organisation"]
    ordering_fields = ["name", "kind", "created_at"]
    queryset = ForceMember.objects.all()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            ForceMember.objects.visible_to(self.request.user)
            .select_related("area", "department")
            .prefetch_related("extra_areas", "households")
        )

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return ForceMemberWriteSerializer
        if self.action in ("approve", "reject"):
            return ReviewSerializer
        return ForceMemberSerializer

    def _checked(self, data):
        for key in ("area",):
            if key in data:
                data[key] = _visible_area(self.request, data[key])
        if "extra_areas" in data:
            data["extra_areas"] = [_visible_area(self.request, a) for a in data["extra_areas"]]
        return data

    @extend_schema(request=ForceMemberWriteSerializer, responses={201: ForceMemberSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ForceMemberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.member_create(actor=request.user, **self._checked(dict(serializer.validated_data)))
        return Response(ForceMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ForceMemberWriteSerializer, responses=ForceMemberSerializer)
    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        serializer = ForceMemberWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        member = services.member_update(
            member=member, actor=request.user, **self._checked(dict(serializer.validated_data))
        )
        return Response(ForceMemberSerializer(member).data)

    def destroy(self, request, *args, **kwargs):
        member = services.member_retire(member=self.get_object(), actor=request.user)
        return Response(ForceMemberSerializer(member).data)

    def _review(self, request, func, **kwargs):
        if not request.user.has_perm("forces.change_forcemember"):
            self.permission_denied(request)
        member = func(member=self.get_object(), actor=request.user, **kwargs)
        return Response(ForceMemberSerializer(member).data)

    @extend_schema(request=HouseholdLinkSerializer, responses=ForceMemberSerializer)
    @action(detail=True, methods=["post"])
    def households(self, request, pk=None):
        """Link an emergency member to households (包保联系到户) or unlink them: {"add": [ids], "remove": [ids]}."""
        from registry.models import Household

        if not request.user.has_perm("forces.change_forcemember"):
            self.permission_denied(request)
        serializer = HouseholdLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visible = Household.objects.visible_to(request.user)
        add = list(visible.filter(pk__in=serializer.validated_data["add"]))
        if len(add) != len(set(serializer.validated_data["add"])):
            return Response({"add": ["Unknown household."]}, status=status.HTTP_400_BAD_REQUEST)
        member = services.member_link_households(
            member=self.get_object(), add=add, remove=serializer.validated_data["remove"], actor=request.user
        )
        member = self.get_queryset().get(pk=member.pk)
        return Response(ForceMemberSerializer(member).data)

    @extend_schema(request=None, responses=ForceMemberSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a self-registered social-force member."""
        return self._review(request, services.member_approve)

    @extend_schema(request=ReviewSerializer, responses=ForceMemberSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._review(
            request, services.member_reject, reason=serializer.validated_data.get("reason", "")
        )


class GridLeaderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Grid leaders: level-1 grids are led by a town cadre, level-2 grids by a village cadre.
    POST assigns (replacing any previous leader), DELETE removes."""

    permission_classes = [ModelPermissionsOrReadOnly]
    serializer_class = GridLeaderSerializer
    filterset_class = GridLeaderFilterSet
    queryset = GridLeader.objects.all()

    def get_queryset(self):
        return GridLeader.objects.visible_to(self.request.user).select_related("area", "member")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        area = _visible_area(request, serializer.validated_data["area"])
        member = get_object_or_404(
            ForceMember.objects.visible_to(request.user), pk=serializer.validated_data["member"].pk
        )
        leadership = services.grid_leader_assign(area=area, member=member, actor=request.user)
        return Response(GridLeaderSerializer(leadership).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.grid_leader_remove(area=self.get_object().area, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GridForcesViewSet(viewsets.ViewSet):
    """Who are this node's forces: leader, members by kind, and counts per kind for the whole subtree."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="area id")],
        responses=GridForcesSerializer,
    )
    def retrieve(self, request, pk=None):
        area = get_object_or_404(Area.objects.visible_to(request.user), pk=pk)
        return Response(GridForcesSerializer(selectors.grid_forces(user=request.user, area=area)).data)


class EmergencyPlanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Contingency plans (预案) with their attachments."""

    permission_classes = [ModelPermissionsOrReadOnly]
    serializer_class = EmergencyPlanSerializer
    filterset_fields = ["emergency_type", "area", "is_active"]
    queryset = EmergencyPlan.objects.all()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return EmergencyPlan.objects.visible_to(self.request.user).prefetch_related("attachments")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_create(
            name=data["name"],
            emergency_type=data["emergency_type"],
            area=_visible_area(request, data["area"]),
            summary=data.get("summary", ""),
            actor=request.user,
        )
        return Response(EmergencyPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": PlanAttachmentSerializer}, responses=PlanAttachmentSerializer
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        if not request.user.has_perm("forces.add_planattachment"):
            self.permission_denied(request)
        serializer = PlanAttachmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.plan_attach(
            plan=self.get_object(),
            file=serializer.validated_data["file"],
            title=serializer.validated_data.get("title", ""),
            actor=request.user,
        )
        return Response(PlanAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class ActivationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Emergency activations and drills. POST activates (and calls up the subtree's emergency force);
    `end` ends it and freezes the after-action figures."""

    permission_classes = [ModelPermissionsOrReadOnly]
    filterset_class = ActivationFilterSet
    search_fields = ["title"]
    ordering_fields = ["opened_at", "ended_at"]
    queryset = Activation.objects.all()

    def get_queryset(self):
        return Activation.objects.visible_to(self.request.user).select_related("area")

    def get_serializer_class(self):
        return ActivationOpenSerializer if self.action == "create" else ActivationSerializer

    @extend_schema(request=ActivationOpenSerializer, responses={201: ActivationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ActivationOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["area"] = _visible_area(request, data["area"])
        if data.get("plan") is not None:
            data["plan"] = get_object_or_404(
                EmergencyPlan.objects.visible_to(request.user), pk=data["plan"].pk
            )
        activation = services.activation_open(actor=request.user, **data)
        return Response(ActivationSerializer(activation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ActivationSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        if not request.user.has_perm("forces.change_activation"):
            self.permission_denied(request)
        activation = services.activation_end(activation=self.get_object(), actor=request.user)
        return Response(ActivationSerializer(activation).data)

    @extend_schema(responses={200: {"type": "object"}})
    @action(detail=True)
    def figures(self, request, pk=None):
        """Share mobilised, median and 90th-percentile seconds to acknowledge, households covered, tasks done."""
        return Response(selectors.figures_for(self.get_object()))

    @extend_schema(responses=ActivationSerializer(many=True))
    @action(detail=False, url_path="open")
    def open_ones(self, request):
        """Open emergencies covering the caller's jurisdiction (drills with ?drills=1), for banners."""
        include = request.query_params.get("drills") in ("1", "true")
        qs = selectors.open_activations(user=request.user, include_drills=include)
        return Response(ActivationSerializer(qs, many=True).data)


class MobilisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Call-ups: staff see those in their jurisdiction, members their own. Members acknowledge and check in."""

    serializer_class = MobilisationSerializer
    filterset_class = MobilisationFilterSet
    permission_classes = [permissions.IsAuthenticated]
    queryset = Mobilisation.objects.all()

    def get_queryset(self):
        user = self.request.user
        own = Q(member__user=user)
        if user.has_perm("forces.view_mobilisation"):
            own |= Q(pk__in=Mobilisation.objects.visible_to(user).values("pk"))
        return Mobilisation.objects.filter(own).select_related("member", "activation").order_by("-pk")

    @action(detail=False)
    def mine(self, request):
        """The caller's own open call-ups."""
        qs = selectors.my_mobilisations(user=request.user)
        return Response(MobilisationSerializer(qs, many=True).data)

    @extend_schema(request=None, responses=MobilisationSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        mob = services.mobilisation_acknowledge(mobilisation=self.get_object(), actor=request.user)
        return Response(MobilisationSerializer(mob).data)

    @extend_schema(request=CheckInSerializer, responses=MobilisationSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        serializer = CheckInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mob = services.mobilisation_check_in(
            mobilisation=self.get_object(), actor=request.user, **serializer.validated_data
        )
        return Response(MobilisationSerializer(mob).data)


class DutyShiftViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The duty roster (轮班值守) of activations."""

    permission_classes = [ModelPermissionsOrReadOnly]
    serializer_class = DutyShiftSerializer
    filterset_class = DutyShiftFilterSet
    queryset = DutyShift.objects.all()

    def get_queryset(self):
        return DutyShift.objects.visible_to(self.request.user).select_related("member")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        shift = services.shift_create(
            activation=get_object_or_404(
                Activation.objects.visible_to(request.user), pk=data["activation"].pk
            ),
            member=get_object_or_404(ForceMember.objects.visible_to(request.user), pk=data["member"].pk),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            post=data.get("post", ""),
            actor=request.user,
        )
        return Response(DutyShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


class ActivationTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Tasks during activations (people management, publicity, opinion gathering, patrol, supplies, response)."""

    serializer_class = ActivationTaskSerializer
    filterset_class = ActivationTaskFilterSet
    queryset = ActivationTask.objects.all()

    def get_permissions(self):
        # Assignees mark their own tasks done without any model permission.
        if self.action == "done":
            return [permissions.IsAuthenticated()]
        return [ModelPermissionsOrReadOnly()]

    def get_queryset(self):
        user = self.request.user
        return (
            ActivationTask.objects.filter(
                Q(assignee__user=user) | Q(pk__in=ActivationTask.objects.visible_to(user).values("pk"))
            )
            .select_related("assignee", "area")
            .order_by("status", "pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task = services.task_assign(
            activation=get_object_or_404(
                Activation.objects.visible_to(request.user), pk=data["activation"].pk
            ),
            kind=data["kind"],
            title=data["title"],
            assignee=get_object_or_404(ForceMember.objects.visible_to(request.user), pk=data["assignee"].pk),
            area=_visible_area(request, data["area"]) if data.get("area") else None,
            actor=request.user,
        )
        return Response(ActivationTaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TaskDoneSerializer, responses=ActivationTaskSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        serializer = TaskDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_done(task=self.get_object(), actor=request.user, **serializer.validated_data)
        return Response(ActivationTaskSerializer(task).data)
