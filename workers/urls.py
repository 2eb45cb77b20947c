from django.urls import path

from . import views

app_name = "workers"
urlpatterns = [
    path("", views.worker_list, name="list"),
    path("<int:pk>/", views.worker_detail, name="detail"),
    path("export.xlsx", views.worker_export, name="export"),
    path("import/", views.worker_import, name="import"),
    path("log/", views.duty_log_phone, name="log"),
    path("logs/", views.duty_log_list, name="logs"),
    path("logs/summary/", views.duty_log_summary, name="log-summary"),
    path("structure/", views.structure, name="structure"),
    path("structure.xlsx", views.structure_xlsx, name="structure-xlsx"),
    path("admission/", views.admission_list, name="admission"),
    path("workload/", views.workload, name="workload"),
    path("training/", views.training_list, name="training"),
]
