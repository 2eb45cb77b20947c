from django.urls import path

from . import views

app_name = "forces"
urlpatterns = [
    path("areas/<int:pk>/", views.grid_forces, name="grid-forces"),
    path("activations/", views.activation_list, name="activation-list"),
    path("activations/<int:pk>/", views.activation_detail, name="activation-detail"),
    path("activations/<int:pk>/end/", views.activation_end, name="activation-end"),
    path("activations/<int:pk>/shifts/", views.shift_add, name="shift-add"),
    path("activations/<int:pk>/tasks/", views.task_add, name="task-add"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("my/", views.my, name="my"),
    path("mobilisations/<int:pk>/answer/", views.mobilisation_answer, name="mobilisation-answer"),
    path("m/<str:token>/", views.mobilisation_token, name="mobilisation-token"),
    path("join/", views.join, name="join"),
    path("join/done/", views.join_done, name="join-done"),
    path("approvals/", views.approvals, name="approvals"),
]
