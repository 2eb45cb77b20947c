from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .pii import can_reveal, masked_value, pii_reveal, protected_fields


def _broker_status() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        import os

        os.makedirs(folder, exist_ok=True)
        return "ok" if os.access(folder, os.W_OK) else "error"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # any broker failure is reported, not raised
        return "error"


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database and the Celery broker."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "error"
    broker = _broker_status()
    ok = database == "ok" and broker == "ok"
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "broker": broker}, status=200 if ok else 503
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), min_length=4)


def resolve_protected(user, model_label: str, pk: str, field: str):
    """The object, if visible to the user and `field` is protected; otherwise 404."""
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if field not in protected_fields(model):
        raise Http404
    manager = model._default_manager
    qs = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.none()
    try:
        return qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@login_required
def reveal(request, model_label: str, pk: str, field: str):
    """Show one protected value in full after the user states a reason; the reveal is recorded."""
    obj = resolve_protected(request.user, model_label, pk, field)
    if not can_reveal(request.user):
        raise PermissionDenied
    value = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        value = pii_reveal(
            user=request.user, obj=obj, field=field, reason=form.cleaned_data["reason"], request=request
        )
    return render(
        request,
        "core/reveal.html",
        {
            "obj": obj,
            "field_label": obj._meta.get_field(field).verbose_name,
            "masked": masked_value(obj, field),
            "value": value,
            "form": form,
        },
    )


@login_required
def home(request):
    """The signed-in user's part of the area tree."""
    from grids.models import Area

    root = request.user.jurisdiction
    if root is None and request.user.sees_whole_district:
        root = Area.objects.root_nodes().first()
    nodes = []
    if root is not None:
        depth = int(request.GET.get("depth", "2"))
        nodes = list(
            root.get_descendants(include_self=True)
            .filter(level__lte=root.level + depth)
            .only("id", "name", "code", "kind", "level", "households", "population", "is_demo", "grid_type")
        )
    return render(request, "core/home.html", {"root": root, "nodes": nodes})
