from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.resident_list, name="resident-list"),
    path("residents/new/", views.resident_edit, name="resident-create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("households/", views.household_list, name="household-list"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("houses/", views.house_list, name="house-list"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("figures/", views.grid_figures_page, name="grid-figures"),
    path("import/", views.import_page, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("export.xlsx", views.export, name="export"),
    path("visits/due/", views.visits_due_page, name="visits-due"),
    path("memberships/", views.membership_list_page, name="membership-list"),
    path("memberships/<int:pk>/", views.membership_detail, name="membership-detail"),
]
