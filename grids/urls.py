from django.urls import path

from . import views

app_name = "grids"
urlpatterns = [
    path("areas/<int:pk>/", views.area_detail, name="area-detail"),
    path("coverage/", views.coverage, name="coverage"),
]
