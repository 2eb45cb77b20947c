"""Pages of the registry: lists and details scoped to the user's jurisdiction (outside it: 404)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from grids.choices import GRID_KINDS
from grids.models import Area

from . import selectors
from .choices import OrganisationKind, ResidenceType, ResidentStatus
from .importing import (
    ImportRejected,
    export_filename,
    export_residents,
    import_residents,
    read_rows,
    template_workbook,
)
from .models import Household, Resident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _grid_filter(request):
    grid_id = request.GET.get("grid")
    if not grid_id:
        return None
    return get_object_or_404(Area.objects.visible_to(request.user), pk=grid_id)


def _filters(request) -> dict:
    return {
        "grid": _grid_filter(request),
        "q": request.GET.get("q", ""),
        "residence_type": request.GET.get("residence_type", ""),
        "status": request.GET.get("status", ""),
    }


@login_required
@permission_required("registry.view_resident", raise_exception=True)
def resident_list(request):
    filters = _filters(request)
    residents = selectors.resident_list(user=request.user, filters=filters).order_by(
        "grid__code", "name", "id"
    )
    return render(
        request,
        "registry/resident_list.html",
        {
            "page": _page(request, residents),
            "filters": filters,
            "residence_types": ResidenceType.choices,
            "statuses": ResidentStatus.choices,
        },
    )


@login_required
@permission_required("registry.view_resident", raise_exception=True)
def resident_detail(request, pk):
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("grid", "household"), pk=pk
    )
    context = {"resident": resident}
    if hasattr(resident, "group_memberships"):
        context["memberships"] = resident.group_memberships.select_related("responsible").order_by(
            "-start_date"
        )
    return render(request, "registry/resident_detail.html", context)


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_list(request):
    filters = _filters(request)
    households = selectors.household_list(user=request.user, filters=filters).order_by(
        "grid__code", "address", "id"
    )
    return render(
        request, "registry/household_list.html", {"page": _page(request, households), "filters": filters}
    )


@login_required
@permission_required("registry.view_household", raise_exception=True)
def household_detail(request, pk):
    household = get_object_or_404(
        Household.objects.visible_to(request.user)
        .select_related("grid", "head", "house")
        .prefetch_related(Prefetch("members", queryset=Resident.objects.order_by("id"))),
        pk=pk,
    )
    return render(request, "registry/household_detail.html", {"household": household})


@login_required
@permission_required("registry.view_house", raise_exception=True)
def house_list(request):
    rented = request.GET.get("rented")
    houses = selectors.house_list(user=request.user, rented=True if rented == "1" else None).prefetch_related(
        "tenants"
    )
    return render(request, "registry/house_list.html", {"page": _page(request, houses), "rented": rented})


@login_required
@permission_required("registry.view_organisation", raise_exception=True)
def organisation_list(request):
    kind = request.GET.get("kind", "")
    organisations = selectors.organisation_list(user=request.user, kind=kind)
    return render(
        request,
        "registry/organisation_list.html",
        {"page": _page(request, organisations), "kind": kind, "kinds": OrganisationKind.choices},
    )


@login_required
def grid_figures_page(request):
    visible = Area.objects.visible_to(request.user)
    root_id = request.GET.get("area") or request.user.jurisdiction_id
    root = get_object_or_404(visible, pk=root_id) if root_id else visible.filter(parent__isnull=True).first()
    grids = []
    if root is not None:
        grids = list(
            root.get_descendants(include_self=True)
            .filter(kind__in=GRID_KINDS, is_active=True, level__lte=root.level + 3)
            .order_by("code")[:1000]
        )
    figures = selectors.grid_figures(grids)
    rows = [(g, figures[g.pk]) for g in grids]
    return render(request, "registry/grid_figures.html", {"root": root, "rows": rows})


class ImportForm(forms.Form):
    file = forms.FileField(label=_("residents and households (.xlsx)"))


@login_required
@permission_required("registry.add_resident", raise_exception=True)
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, duplicates = [], []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_residents(user=request.user, rows=read_rows(form.cleaned_data["file"].read()))
        except ImportRejected as exc:
            errors, duplicates = exc.errors, exc.duplicates
        else:
            messages.success(
                request,
                _("Imported %(r)d residents and %(h)d households.")
                % {"r": result.residents_created, "h": result.households_created},
            )
            for note in result.duplicates:
                messages.warning(request, str(note))
            return redirect("registry:resident-list")
    return render(request, "registry/import.html", {"form": form, "errors": errors, "duplicates": duplicates})


@login_required
@permission_required("registry.add_resident", raise_exception=True)
def import_template(request):
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="residents-template.xlsx"'
    return response


@login_required
@permission_required("registry.view_resident", raise_exception=True)
def export(request):
    residents = selectors.resident_list(user=request.user, filters=_filters(request))
    response = HttpResponse(export_residents(user=request.user, queryset=residents), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    return response
