from rest_framework.routers import SimpleRouter

from .views import (
    BuildingViewSet,
    GridFiguresViewSet,
    HouseholdViewSet,
    HouseViewSet,
    OrganisationViewSet,
    ResidentViewSet,
)

router = SimpleRouter()
router.register("registry/residents", ResidentViewSet, basename="registry-resident")
router.register("registry/households", HouseholdViewSet, basename="registry-household")
router.register("registry/buildings", BuildingViewSet, basename="registry-building")
router.register("registry/houses", HouseViewSet, basename="registry-house")
router.register("registry/organisations", OrganisationViewSet, basename="registry-organisation")
router.register("registry/grid-figures", GridFiguresViewSet, basename="registry-grid-figures")
urlpatterns = router.urls
