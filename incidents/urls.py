from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.worker_report, name="report"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/act/<str:name>/", views.incident_act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("public/", views.public_report, name="public-report"),
    path("public/done/", views.public_done, name="public-done"),
    path("public/track/", views.track, name="track"),
    path("public/track/<str:tracking_code>/", views.public_status, name="public-status"),
]
