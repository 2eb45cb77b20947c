"""Pages of the registry: lists and details scoped to the user's jurisdiction (outside it: 404)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError
from core.pii import masked_value
from grids.choices import GRID_KINDS
from grids.models import Area

from . import selectors, services
from .choices import GroupType, OrganisationKind, ResidenceType, ResidentStatus, VisitMethod
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
    context = {"resident": resident, "memberships": None}
    if request.user.has_perm("registry.view_groupmembership"):
        context["memberships"] = (
            selectors.membership_list(user=request.user).filter(resident=resident).order_by("-start_date")
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


# --- special and care groups ----------------------------------------------------------------------------


class VisitForm(forms.Form):
    visited_at = forms.DateTimeField(
        label=_("visited at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False
    )
    method = forms.ChoiceField(label=_("how"), choices=VisitMethod.choices, initial=VisitMethod.HOME)
    finding = forms.CharField(
        label=_("what was found"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    needs_follow_up = forms.BooleanField(label=_("needs follow-up"), required=False)


def _area_filter(request):
    area_id = request.GET.get("area")
    return get_object_or_404(Area.objects.visible_to(request.user), pk=area_id) if area_id else None


@login_required
@permission_required("registry.view_groupmembership", raise_exception=True)
def visits_due_page(request):
    """Visits due and overdue in the user's jurisdiction; a grid worker sees their own first."""
    area = _area_filter(request)
    rows = selectors.visits_due(user=request.user, area=area)
    worker = getattr(request.user, "worker", None)
    if request.GET.get("mine") == "1" and worker is not None:
        rows = rows.filter(responsible=worker)
    return render(
        request,
        "registry/visits_due.html",
        {
            "page": _page(request, rows),
            "area": area,
            "summary": selectors.visit_summary(user=request.user, area=area),
            "is_worker": worker is not None,
        },
    )


@login_required
@permission_required("registry.view_groupmembership", raise_exception=True)
def membership_list_page(request):
    filters = {
        "group_type": request.GET.get("group_type", ""),
        "category": request.GET.get("category", ""),
        "open": request.GET.get("all") != "1",
    }
    rows = selectors.membership_list(user=request.user, area=_area_filter(request), filters=filters)
    return render(
        request,
        "registry/membership_list.html",
        {"page": _page(request, rows), "filters": filters, "group_types": GroupType.choices},
    )


@login_required
@permission_required("registry.view_groupmembership", raise_exception=True)
def membership_detail(request, pk):
    membership = get_object_or_404(selectors.membership_list(user=request.user), pk=pk)
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("registry.add_visit"):
            raise PermissionDenied
        if form.is_valid():
            worker = getattr(request.user, "worker", None)
            try:
                services.visit_record(
                    membership=membership,
                    worker=worker,
                    visited_at=form.cleaned_data["visited_at"],
                    method=form.cleaned_data["method"],
                    finding=form.cleaned_data["finding"],
                    needs_follow_up=form.cleaned_data["needs_follow_up"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ConflictError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Visit recorded."))
                return redirect("registry:membership-detail", pk=membership.pk)
    visits = selectors.visit_list(user=request.user, membership=membership).select_related("duty_log")[:50]
    return render(
        request,
        "registry/membership_detail.html",
        {
            "membership": membership,
            "visits": visits,
            "form": form,
            "status": membership.status_on(timezone.localdate()),
        },
    )


class ResidentForm(forms.ModelForm):
    """The phone-sized form a grid worker uses to record a resident (duty 1). ID and phone numbers are typed
    in but never shown back: left empty on an edit, the stored values stay."""

    class Meta:
        model = Resident
        fields = [
            "grid",
            "name",
            "id_number",
            "phone",
            "residence_type",
            "household",
            "relation_to_head",
            "address",
            "registered_address",
            "ethnicity",
            "status",
            "note",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.objects.visible_to(user).filter(
            kind__in=GRID_KINDS, is_active=True
        )
        self.fields["household"].queryset = Household.objects.visible_to(user)
        self.fields["household"].widget = forms.NumberInput()
        self.fields["household"].help_text = _("Household id (from the household page), if any.")
        for name in ("id_number", "phone"):
            current = masked_value(self.instance, name) if self.instance.pk else ""
            self.fields[name] = forms.CharField(
                label=Resident._meta.get_field(name).verbose_name,
                required=name == "id_number" and not self.instance.pk,
                help_text=_("Stored: %(masked)s. Leave empty to keep it.") % {"masked": current}
                if current
                else "",
            )
            self.initial[name] = ""

    def _post_clean(self):
        # The service validates (ID number, uniqueness through the keyed hash) and saves.
        pass


@login_required
def resident_edit(request, pk=None):
    resident = None
    if pk is not None:
        resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("registry.change_resident" if resident else "registry.add_resident"):
        raise PermissionDenied
    form = ResidentForm(request.POST or None, instance=resident, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if not (k in ("id_number", "phone") and not v and resident)
        }
        try:
            if resident is None:
                resident = services.resident_create(**data)
            else:
                resident = services.resident_update(resident=resident, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:resident-detail", pk=resident.pk)
    return render(request, "registry/resident_form.html", {"form": form, "resident": resident})
