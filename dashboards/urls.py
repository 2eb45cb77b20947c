from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("town/<int:pk>/", views.town_dashboard, name="town"),
    path("town/<int:pk>/incidents/", views.town_incidents, name="town-incidents"),
    path("district/", views.district_dashboard, name="district"),
    path("m/", views.phone_home, name="phone-home"),
    path("m/report/", views.phone_report, name="phone-report"),
    path("m/duty-log/", views.phone_duty_log, name="phone-duty-log"),
    path("m/mine/", views.phone_mine, name="phone-mine"),
    path("m/visits/", views.phone_visits, name="phone-visits"),
]
