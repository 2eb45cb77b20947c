from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from core import views as core_views
from core.api.notifications import NotificationViewSet
from core.api.views import RevealView
from core.modules import import_optional

admin.site.site_header = _("Enyang District grid-based service and management")
admin.site.site_title = _("Enyang grid centre")
admin.site.index_title = _("District grid centre administration")

# Each app exposes its API under /api/v1/ from `<app>/api/urls.py` and its pages from `<app>/urls.py`.
API_APPS = ["grids", "workers", "incidents", "registry", "forces", "assessment", "dashboards"]


notification_router = DefaultRouter()
notification_router.register("notifications", NotificationViewSet, basename="notification")
api_patterns = [path("reveal/", RevealView.as_view(), name="reveal"), *notification_router.urls]
page_patterns = []
for app in API_APPS:
    if import_optional(f"{app}.api.urls"):
        api_patterns.append(path("", include(f"{app}.api.urls")))
    if import_optional(f"{app}.urls"):
        page_patterns.append(path(f"{app}/", include(f"{app}.urls")))

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", core_views.home, name="home"),
    path("reveal/<str:model_label>/<str:pk>/<str:field>/", core_views.reveal, name="reveal"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    *page_patterns,
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
