from django.urls import path

from .views import DistrictDashboardView, TownDashboardView

urlpatterns = [
    path("dashboards/towns/<int:pk>/", TownDashboardView.as_view(), name="dashboard-town"),
    path("dashboards/district/", DistrictDashboardView.as_view(), name="dashboard-district"),
]
