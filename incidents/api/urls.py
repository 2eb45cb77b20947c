from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import (
    CategoryViewSet,
    ExtensionRequestViewSet,
    IncidentViewSet,
    PublicReportView,
    PublicStatusView,
)

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("incident-categories", CategoryViewSet, basename="incident-category")
router.register("incident-extensions", ExtensionRequestViewSet, basename="incident-extension")
urlpatterns = [
    path("public/incidents/", PublicReportView.as_view(), name="public-incident-report"),
    path("public/incidents/<str:tracking_code>/", PublicStatusView.as_view(), name="public-incident-status"),
    *router.urls,
]
