from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<int:pk>/compute/", views.scheme_compute, name="scheme-compute"),
    path("schemes/<int:pk>/copy/", views.scheme_copy, name="scheme-copy"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/transition/<str:action>/", views.run_transition, name="run-transition"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="run-export"),
    path("runs/<int:pk>/print/", views.run_print, name="run-print"),
    path("results/<int:pk>/", views.result_detail, name="result-detail"),
    path("results/<int:pk>/appeal/", views.result_appeal, name="result-appeal"),
    path("scores/<int:pk>/records/", views.score_records, name="score-records"),
    path("checks/", views.check_list, name="check-list"),
    path("appeals/", views.appeal_list, name="appeal-list"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal-decide"),
]
