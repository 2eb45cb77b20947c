from rest_framework.routers import DefaultRouter

from .views import (
    ActivationTaskViewSet,
    ActivationViewSet,
    DutyShiftViewSet,
    EmergencyPlanViewSet,
    ForceMemberViewSet,
    GridForcesViewSet,
    GridLeaderViewSet,
    MobilisationViewSet,
)

router = DefaultRouter()
router.register("force-members", ForceMemberViewSet, basename="force-member")
router.register("grid-leaders", GridLeaderViewSet, basename="grid-leader")
router.register("grid-forces", GridForcesViewSet, basename="grid-forces")
router.register("emergency-plans", EmergencyPlanViewSet, basename="emergency-plan")
router.register("activations", ActivationViewSet, basename="activation")
router.register("mobilisations", MobilisationViewSet, basename="mobilisation")
router.register("duty-shifts", DutyShiftViewSet, basename="duty-shift")
router.register("activation-tasks", ActivationTaskViewSet, basename="activation-task")
urlpatterns = router.urls
