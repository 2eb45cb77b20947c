from rest_framework.routers import SimpleRouter

from .views import (
    BuildingViewSet,
    GridFiguresViewSet,
    HouseholdViewSet,
    HouseViewSet,
    MembershipViewSet,
    OrganisationViewSet,
    ResidentViewSet,
    VisitsDueViewSet,
    VisitViewSet,
)

router = SimpleRouter()
router.register("registry/residents", ResidentViewSet, basename="registry-resident")
router.register("registry/households", HouseholdViewSet, basename="registry-household")
router.register("registry/buildings", BuildingViewSet, basename="registry-building")
router.register("registry/houses", HouseViewSet, basename="registry-house")
router.register("registry/organisations", OrganisationViewSet, basename="registry-organisation")
router.register("registry/grid-figures", GridFiguresViewSet, basename="registry-grid-figures")
router.register("registry/memberships", MembershipViewSet, basename="registry-membership")
router.register("registry/visits", VisitViewSet, basename="registry-visit")
router.register("registry/visits-due", VisitsDueViewSet, basename="registry-visits-due")
urlpatterns = router.urls
