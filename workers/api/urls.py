from rest_framework.routers import DefaultRouter

from .views import (
    AdmissionItemViewSet,
    DutyLogViewSet,
    DutyViewSet,
    ServiceRoleViewSet,
    TaskAssignmentViewSet,
    TrainingSessionViewSet,
    WorkerViewSet,
)

router = DefaultRouter()
router.register("workers", WorkerViewSet, basename="worker")
router.register("duty-logs", DutyLogViewSet, basename="duty-log")
router.register("service-roles", ServiceRoleViewSet, basename="service-role")
router.register("duties", DutyViewSet, basename="duty")
router.register("admission-items", AdmissionItemViewSet, basename="admission-item")
router.register("assignments", TaskAssignmentViewSet, basename="assignment")
router.register("training-sessions", TrainingSessionViewSet, basename="training-session")
urlpatterns = router.urls
