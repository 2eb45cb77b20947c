from rest_framework.routers import DefaultRouter

from .views import AreaViewSet, DepartmentGridViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("department-grids", DepartmentGridViewSet, basename="department-grid")
urlpatterns = router.urls
