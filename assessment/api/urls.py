from rest_framework.routers import DefaultRouter

from .views import (
    AppealViewSet,
    ResultViewSet,
    RunViewSet,
    SchemeViewSet,
    ScoreViewSet,
    SupervisionCheckViewSet,
)

router = DefaultRouter()
router.register("assessment/schemes", SchemeViewSet, basename="assessment-scheme")
router.register("assessment/runs", RunViewSet, basename="assessment-run")
router.register("assessment/results", ResultViewSet, basename="assessment-result")
router.register("assessment/scores", ScoreViewSet, basename="assessment-score")
router.register("assessment/checks", SupervisionCheckViewSet, basename="assessment-check")
router.register("assessment/appeals", AppealViewSet, basename="assessment-appeal")
urlpatterns = router.urls
