from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import ManyToManyField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin import MaskedPIIAdminMixin, ScopedAdminMixin, service_call
from core.pii import keyed_hash, masked_value, protected_fields
from grids.choices import GRID_KINDS
from grids.models import Area

from . import services
from .importing import ImportRejected, export_filename, export_residents, import_residents, read_rows
from .models import Building, GroupMembership, House, Household, Organisation, Resident, Visit


class ProtectedInputForm(forms.ModelForm):
    """Protected fields are typed in but never shown: left empty on a change form, the stored value stays."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in protected_fields(self._meta.model).items():
            if name not in self.fields:
                continue
            current = masked_value(self.instance, name) if self.instance.pk else ""
            self.fields[name] = forms.CharField(
                label=field.verbose_name,
                required=False,
                help_text=(_("Stored: %(masked)s. Leave empty to keep it.") % {"masked": current})
                if current
                else "",
            )
            self.initial[name] = ""

    def clean(self):
        cleaned = super().clean()
        for name in protected_fields(self._meta.model):
            if name in cleaned and not cleaned[name] and self.instance.pk:
                cleaned[name] = getattr(type(self.instance).objects.get(pk=self.instance.pk), name)
                setattr(self.instance, name, cleaned[name])
        return cleaned


class RegistryAdmin(ScopedAdminMixin, MaskedPIIAdminMixin, admin.ModelAdmin):
    form = ProtectedInputForm
    list_per_page = 100
    readonly_fields = ["is_demo", "created_at", "updated_at"]
    create_service = None
    update_service = None
    update_kwarg = ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            kwargs["queryset"] = Area.objects.visible_to(request.user).filter(
                kind__in=GRID_KINDS, is_active=True
            )
        elif db_field.related_model in (Resident, Household, Building, House):
            kwargs["queryset"] = db_field.related_model.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if not isinstance(obj._meta.get_field(name), ManyToManyField)
        }
        if change:
            saved = type(self).update_service(**{self.update_kwarg: obj}, **data)
        else:
            saved = type(self).create_service(**data)
        obj.pk = saved.pk


class ImportForm(forms.Form):
    file = forms.FileField(label=_("residents and households (.xlsx)"))


class MemberInline(admin.TabularInline):
    model = Resident
    fields = ["name", "relation_to_head", "residence_type", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(RegistryAdmin):
    list_display = [
        "name",
        "gender",
        "birth_date",
        "id_number",
        "phone",
        "residence_type",
        "grid",
        "household",
        "status",
    ]
    list_filter = ["residence_type", "status", "gender", "is_demo"]
    search_fields = ["name", "address"]
    list_select_related = ["grid", "household"]
    raw_id_fields = ["household"]
    fields = [
        "grid",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "residence_type",
        "household",
        "relation_to_head",
        "address",
        "registered_address",
        "moved_in_on",
        "status",
        "note",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    create_service = staticmethod(services.resident_create)
    update_service = staticmethod(services.resident_update)
    update_kwarg = "resident"
    actions = ["export_selected"]
    change_list_template = "admin/registry/resident/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        # ID and phone numbers are found through their keyed hash, never by scanning ciphertext.
        digest = keyed_hash(search_term)
        if digest and len(search_term.strip()) >= 11:
            return queryset.filter(id_number_hash=digest) | queryset.filter(phone_hash=digest), False
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description=_("Export the selected residents to Excel"))
    def export_selected(self, request, queryset):
        response = HttpResponse(
            export_residents(user=request.user, queryset=queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        return response

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="registry_resident_import")
        ] + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perm("registry.add_resident"):
            return redirect("admin:registry_resident_changelist")
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
                return redirect("admin:registry_resident_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "duplicates": duplicates,
            "opts": self.model._meta,
            "title": _("Import residents and households"),
        }
        return render(request, "admin/registry/resident/import.html", context)


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ["__str__", "address", "grid", "head", "residence_type"]
    list_filter = ["residence_type", "is_demo"]
    search_fields = ["number", "address"]
    list_select_related = ["grid", "head"]
    raw_id_fields = ["house"]
    fields = [
        "grid",
        "number",
        "address",
        "residence_type",
        "house",
        "note",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    inlines = [MemberInline]
    create_service = staticmethod(services.household_create)
    update_service = staticmethod(services.household_update)
    update_kwarg = "household"


@admin.register(Building)
class BuildingAdmin(RegistryAdmin):
    list_display = ["name", "address", "kind", "floors", "grid"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "address"]
    list_select_related = ["grid"]
    fields = [
        "grid",
        "name",
        "address",
        "kind",
        "floors",
        "longitude",
        "latitude",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    create_service = staticmethod(services.building_create)
    update_service = staticmethod(services.building_update)
    update_kwarg = "building"


@admin.register(House)
class HouseAdmin(RegistryAdmin):
    list_display = ["__str__", "building", "grid", "is_rented", "owner"]
    list_filter = ["is_rented", "is_demo"]
    search_fields = ["address", "number"]
    list_select_related = ["grid", "building", "owner"]
    raw_id_fields = ["building", "owner", "tenants"]
    fields = [
        "grid",
        "building",
        "number",
        "address",
        "owner",
        "owner_name",
        "floor_area_m2",
        "is_rented",
        "tenants",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    create_service = staticmethod(services.house_create)
    update_service = staticmethod(services.house_update)
    update_kwarg = "house"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.house_set_tenants(house=form.instance, tenants=list(form.cleaned_data.get("tenants") or []))


@admin.register(Organisation)
class OrganisationAdmin(RegistryAdmin):
    list_display = ["name", "kind", "credit_code", "contact_name", "contact_phone", "grid"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["name", "credit_code", "address"]
    list_select_related = ["grid"]
    raw_id_fields = ["building"]
    fields = [
        "grid",
        "name",
        "kind",
        "credit_code",
        "address",
        "contact_name",
        "contact_phone",
        "employees",
        "building",
        "is_demo",
        "created_at",
        "updated_at",
    ]
    create_service = staticmethod(services.organisation_create)
    update_service = staticmethod(services.organisation_update)
    update_kwarg = "organisation"


class MembershipForm(forms.ModelForm):
    visit_interval_days = forms.IntegerField(
        label=_("visit every (days)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the group's usual frequency."),
    )

    class Meta:
        model = GroupMembership
        fields = ["resident", "group_type", "start_date", "responsible", "visit_interval_days", "note"]

    def _post_clean(self):
        # The service fills the category, interval and due date and validates the whole membership.
        data = self.cleaned_data
        try:
            if self.instance.pk is None:
                if data.get("resident") and data.get("responsible") and data.get("group_type"):
                    services.membership_build(
                        resident=data["resident"],
                        group_type=data["group_type"],
                        responsible=data["responsible"],
                        start_date=data.get("start_date"),
                        visit_interval_days=data.get("visit_interval_days"),
                    )
            elif data.get("responsible"):
                services.check_responsible(data["responsible"], self.instance.resident)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(GroupMembership)
class GroupMembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = MembershipForm
    list_display = [
        "resident",
        "group_type",
        "category",
        "responsible",
        "visit_interval_days",
        "next_visit_due",
        "start_date",
        "end_date",
    ]
    list_filter = ["category", "group_type", "is_demo"]
    search_fields = ["resident__name"]
    list_select_related = ["resident", "responsible"]
    raw_id_fields = ["resident", "responsible"]
    date_hierarchy = "next_visit_due"
    actions = ["end_memberships"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["resident", "group_type", "start_date", "next_visit_due", "end_date", "end_reason"]
        return []

    def get_fields(self, request, obj=None):
        fields = ["resident", "group_type", "start_date", "responsible", "visit_interval_days", "note"]
        return fields + (["next_visit_due", "end_date", "end_reason"] if obj is not None else [])

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = service_call(
                request,
                services.membership_update,
                membership=obj,
                responsible=data.get("responsible"),
                visit_interval_days=data.get("visit_interval_days"),
                note=data.get("note", ""),
            )
        else:
            saved = service_call(
                request,
                services.membership_create,
                resident=data["resident"],
                group_type=data["group_type"],
                responsible=data["responsible"],
                start_date=data.get("start_date"),
                visit_interval_days=data.get("visit_interval_days"),
                note=data.get("note", ""),
            )
        if saved is not None:
            for f in saved._meta.concrete_fields:
                setattr(obj, f.attname, getattr(saved, f.attname))

    @admin.action(description=_("End the selected memberships today"))
    def end_memberships(self, request, queryset):
        ended = sum(
            service_call(request, services.membership_end, membership=m) is not None
            for m in queryset.filter(end_date__isnull=True)
        )
        messages.success(request, _("%(n)d membership(s) ended.") % {"n": ended})


@admin.register(Visit)
class VisitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Visits are recorded from the pages and the API (as duty logs); the admin shows them."""

    list_display = ["membership", "worker", "visited_at", "method", "due_date", "needs_follow_up"]
    list_filter = ["method", "needs_follow_up"]
    search_fields = ["membership__resident__name", "worker__name"]
    list_select_related = ["membership__resident", "worker"]
    date_hierarchy = "visited_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
