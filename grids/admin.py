from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from core.admin import ScopedAdminMixin
from core.scoping import subtree_filter

from . import services
from .importing import ImportRejected, import_areas, read_rows
from .models import Area, DepartmentGrid


class SubtreeListFilter(admin.SimpleListFilter):
    """Filter by subtree, offering only towns and villages the user may see."""

    title = _("within")
    parameter_name = "within"

    def lookups(self, request, model_admin):
        nodes = (
            Area.objects.visible_to(request.user)
            .filter(kind__in=["district", "subdistrict", "town", "township", "community", "village"])
            .only("id", "name", "level", "is_demo")
        )
        return [(str(n.pk), "\u3000" * n.level + str(n)) for n in nodes]

    def queryset(self, request, queryset):
        if self.value():
            node = Area.objects.visible_to(request.user).filter(pk=self.value()).first()
            return queryset.filter(subtree_filter(node)) if node else queryset.none()
        return queryset


class ImportForm(forms.Form):
    file = forms.FileField(label=_("division list (.xlsx or .csv)"))


@admin.register(Area)
class AreaAdmin(ScopedAdminMixin, MPTTModelAdmin):
    list_display = ["name", "code", "kind", "grid_type", "households", "population", "is_active", "is_demo"]
    list_filter = ["kind", "grid_type", "is_active", "is_demo", SubtreeListFilter]
    search_fields = ["code", "name"]
    mptt_level_indent = 24
    list_per_page = 100
    raw_id_fields = ["leader"]
    readonly_fields = ["center_lng", "center_lat"]
    fields = [
        "kind",
        "code",
        "name",
        "parent",
        "urban_rural_class",
        "grid_type",
        "households",
        "population",
        "area_km2",
        "boundary",
        "center_lng",
        "center_lat",
        "leader",
        "is_active",
        "is_demo",
    ]
    change_list_template = "admin/grids/area/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # Kind and code are fixed once a node exists; moving goes through the move service.
        if obj is not None:
            return [*self.readonly_fields, "kind", "code", "parent"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Area.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data if f in services.EDITABLE_FIELDS}
        try:
            if change:
                saved = services.area_update(area=obj, **data)
            else:
                saved = services.area_create(kind=obj.kind, code=obj.code, parent=obj.parent, **data)
        except ValidationError as exc:
            # The form already validated; a refusal here comes from a concurrent change.
            messages.error(request, "; ".join(exc.messages))
            raise
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.area_retire(area=obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="grids_area_import")
        ] + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perm("grids.add_area"):
            return redirect("admin:grids_area_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_areas(read_rows(upload.read(), upload.name))
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Imported: %(c)d created, %(u)d updated.")
                    % {"c": result["created"], "u": result["updated"]},
                )
                return redirect("admin:grids_area_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "title": _("Import the division list"),
        }
        return render(request, "admin/grids/area/import.html", context)


@admin.register(DepartmentGrid)
class DepartmentGridAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "code"]
    list_filter = ["department", "kind"]
    search_fields = ["name", "code"]
    filter_horizontal = ["unified_grids"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or getattr(request.user, "sees_whole_district", False):
            return qs
        return qs.filter(unified_grids__in=Area.objects.visible_to(request.user)).distinct()
