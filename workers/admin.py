from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin import MaskedPIIAdminMixin, ScopedAdminMixin, service_call
from core.pii import keyed_hash, masked_value
from grids.importing import ImportRejected
from grids.models import Area

from . import exporting, services
from .importing import COLUMNS, import_workers, read_rows
from .models import (
    AdmissionItem,
    AdmissionItemEvent,
    Certificate,
    Duty,
    DutyLog,
    GridAssignment,
    ServiceRole,
    TaskAssignment,
    TrainingAttendance,
    TrainingSession,
    Worker,
    WorkloadOverride,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceRole)
class ServiceRoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "role"]
    list_filter = ["role"]

    def has_delete_permission(self, request, obj=None):
        return False


class WorkerForm(forms.ModelForm):
    """ID and phone numbers are typed in, never shown: leave them empty to keep what is stored."""

    phone = forms.CharField(label=_("phone"), required=False)
    id_number = forms.CharField(label=_("ID number"), required=False)

    class Meta:
        model = Worker
        fields = [
            "name",
            "gender",
            "birth_date",
            "political_status",
            "education",
            "phone",
            "id_number",
            "employment",
            "category",
            "grid",
            "hire_date",
            "certificate_level",
            "status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["phone"] = self.initial["id_number"] = ""
        if self.instance.pk:
            for name in ("phone", "id_number"):
                self.fields[name].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                    "masked": masked_value(self.instance, name) or "—"
                }

    def _post_clean(self):
        # Keep the stored values when the fields are left empty, then run the service's checks.
        for name in ("phone", "id_number"):
            if not self.cleaned_data.get(name) and self.instance.pk:
                self.cleaned_data[name] = getattr(Worker.objects.get(pk=self.instance.pk), name)
        super()._post_clean()
        try:
            services.validate_worker(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    fields = ["grid", "start", "end", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Worker)
class WorkerAdmin(ScopedAdminMixin, MaskedPIIAdminMixin, admin.ModelAdmin):
    form = WorkerForm
    list_display = [
        "name",
        "gender",
        "birth_date",
        "phone",
        "id_number",
        "employment",
        "category",
        "grid",
        "certificate_level",
        "status",
    ]
    list_filter = ["employment", "category", "status", "gender", "education", "certificate_level"]
    search_fields = ["name", "grid__name", "grid__code"]
    list_select_related = ["grid"]
    autocomplete_fields = []
    raw_id_fields = ["grid"]
    inlines = [GridAssignmentInline, CertificateInline]
    actions = ["export_xlsx"]
    change_list_template = "admin/workers/worker/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        """An exact ID or phone number finds its worker through the keyed hash (never a decrypting scan)."""
        base = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if len(term) >= 7:
            digest = keyed_hash(term)
            queryset |= base.filter(Q(id_number_hash=digest) | Q(phone_hash=digest))
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        # Moving a worker goes through the grid-assignment service, so the history stays right.
        return ["grid"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "grid":
            kwargs["queryset"] = Area.objects.visible_to(request.user).grids()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in services.WORKER_FIELDS}
        if change:
            services.worker_update(worker=Worker.objects.get(pk=obj.pk), actor=request.user, **data)
        else:
            saved = services.worker_create(grid=form.cleaned_data.get("grid"), actor=request.user, **data)
            obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        form.instance = Worker.objects.get(pk=form.instance.pk)
        super().save_related(request, form, formsets, change)

    @admin.action(description=_("Export the selected workers to Excel"))
    def export_xlsx(self, request, queryset):
        content = exporting.workers_workbook(workers=queryset, user=request.user, request=request)
        response = HttpResponse(content, content_type=exporting.XLSX)
        response["Content-Disposition"] = 'attachment; filename="workers.xlsx"'
        return response

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="workers_worker_import")
        ] + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perm("workers.import_workers"):
            return redirect("admin:workers_worker_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = import_workers(read_rows(upload.read(), upload.name), actor=request.user)
            except ImportRejected as exc:
                errors = exc.errors
            else:
                messages.success(request, _("%(n)d grid worker(s) imported.") % {"n": count})
                return redirect("admin:workers_worker_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "columns": COLUMNS,
            "opts": self.model._meta,
            "title": _("Import grid workers"),
        }
        return render(request, "admin/workers/worker/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("worker list (.xlsx or .csv)"))


@admin.register(GridAssignment)
class GridAssignmentAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["worker", "grid", "start", "end"]
    list_select_related = ["worker", "grid"]
    search_fields = ["worker__name", "grid__name", "grid__code"]


@admin.register(DutyLog)
class DutyLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_at", "worker", "duty", "role", "grid", "place"]
    list_filter = ["role", "duty"]
    list_select_related = ["worker", "duty", "role", "grid"]
    search_fields = ["worker__name", "place", "note"]
    date_hierarchy = "occurred_at"
    raw_id_fields = ["worker", "grid", "incident", "resident"]
    readonly_fields = ["role", "recorded_by"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.role_id = obj.duty.role_id
            super().save_model(request, obj, form, change)
            return
        saved = services.duty_log_create(
            worker=obj.worker,
            duty=obj.duty,
            grid=obj.grid,
            occurred_at=obj.occurred_at,
            place=obj.place,
            note=obj.note,
            incident=obj.incident,
            resident=obj.resident,
            actor=request.user,
        )
        obj.pk = saved.pk


class AdmissionItemEventInline(admin.TabularInline):
    model = AdmissionItemEvent
    fields = ["at", "status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("reason"))


@admin.register(AdmissionItem)
class AdmissionItemAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "department",
        "role",
        "duty",
        "minutes_per_occurrence",
        "frequency",
        "weekly_minutes",
        "valid_from",
        "valid_until",
        "is_temporary",
        "status",
    ]
    list_filter = ["status", "is_temporary", "department", "role"]
    list_select_related = ["department", "role", "duty"]
    search_fields = ["title", "description"]
    inlines = [AdmissionItemEventInline]
    actions = ["approve", "publish"]
    readonly_fields = ["status", "approved_at", "published_at", "revoked_at", "expired_at", "proposed_by"]
    change_form_template = "admin/workers/admissionitem/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != "proposed":
            # Once approved, the terms are fixed: revoke and propose anew to change them.
            return [f.name for f in self.model._meta.fields if f.name != "id"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = services.admission_item_propose(
            department=obj.department,
            title=obj.title,
            description=obj.description,
            role=obj.role,
            duty=obj.duty,
            minutes_per_occurrence=obj.minutes_per_occurrence,
            frequency=obj.frequency,
            occurrences_per_period=obj.occurrences_per_period,
            valid_from=obj.valid_from,
            valid_until=obj.valid_until,
            is_temporary=obj.is_temporary,
            actor=request.user,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve the selected items"), permissions=["change"])
    def approve(self, request, queryset):
        done = sum(
            1
            for item in queryset
            if service_call(request, services.admission_item_approve, item=item, actor=request.user)
        )
        if done:
            messages.success(request, _("%(n)d item(s) approved.") % {"n": done})

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish(self, request, queryset):
        done = sum(
            1
            for item in queryset
            if service_call(request, services.admission_item_publish, item=item, actor=request.user)
        )
        if done:
            messages.success(request, _("%(n)d item(s) published.") % {"n": done})

    def get_urls(self):
        return [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="workers_admissionitem_revoke",
            )
        ] + super().get_urls()

    def revoke_view(self, request, pk):
        item = AdmissionItem.objects.get(pk=pk)
        if not self.has_change_permission(request, item):
            return redirect("admin:workers_admissionitem_changelist")
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if service_call(
                request,
                services.admission_item_revoke,
                item=item,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            ):
                messages.success(request, _("Item revoked."))
                return redirect("admin:workers_admissionitem_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "item": item,
            "opts": self.model._meta,
            "title": _("Revoke %(item)s") % {"item": item},
        }
        return render(request, "admin/workers/admissionitem/revoke.html", context)


class WorkloadOverrideInline(admin.StackedInline):
    model = WorkloadOverride
    readonly_fields = [
        "authorised_by",
        "reason",
        "week_start",
        "workload_minutes",
        "cap_minutes",
        "created_at",
    ]
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class TaskAssignmentForm(forms.ModelForm):
    override_reason = forms.CharField(
        label=_("override reason"),
        required=False,
        help_text=_("Only above the weekly cap, and only with the override permission."),
    )

    class Meta:
        model = TaskAssignment
        fields = ["item", "worker", "start_date", "end_date", "note"]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = TaskAssignmentForm
    list_display = [
        "item",
        "worker",
        "grid",
        "assigned_by",
        "assigned_level",
        "department",
        "start_date",
        "end_date",
        "weekly_minutes",
        "status",
    ]
    list_filter = ["status", "assigned_level", "department"]
    list_select_related = ["item", "worker", "grid", "assigned_by", "department"]
    search_fields = ["item__title", "worker__name"]
    raw_id_fields = ["worker"]
    inlines = [WorkloadOverrideInline]
    actions = ["end_assignments"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["item", "worker", "start_date", "end_date", "note"]
        return []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.base_fields["item"].queryset = AdmissionItem.objects.published()
            form.base_fields["worker"].queryset = Worker.objects.visible_to(request.user)
        return form

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = service_call(
            request,
            services.task_assign,
            item=form.cleaned_data["item"],
            worker=form.cleaned_data["worker"],
            actor=request.user,
            start_date=form.cleaned_data["start_date"],
            end_date=form.cleaned_data.get("end_date"),
            note=form.cleaned_data.get("note", ""),
            override_reason=form.cleaned_data.get("override_reason", ""),
        )
        if saved is None:
            raise _Refused
        obj.pk = saved.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except _Refused:
            return redirect(request.get_full_path())

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description=_("End the selected assignments today"))
    def end_assignments(self, request, queryset):
        for assignment in queryset.filter(status="active"):
            service_call(request, services.task_assignment_end, assignment=assignment, actor=request.user)


class _Refused(Exception):
    """The service refused the assignment; its message is already queued for the user."""


@admin.register(WorkloadOverride)
class WorkloadOverrideAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["assignment", "authorised_by", "reason", "week_start", "workload_minutes", "cap_minutes"]
    list_select_related = ["assignment__item", "assignment__worker", "authorised_by"]


class TrainingAttendanceInline(admin.TabularInline):
    model = TrainingAttendance
    raw_id_fields = ["worker"]
    extra = 1


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["held_on", "title", "topic", "area", "hours", "organiser"]
    list_filter = ["topic"]
    search_fields = ["title"]
    raw_id_fields = ["area"]
    inlines = [TrainingAttendanceInline]


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["worker", "level", "number", "issued_on", "issuer"]
    list_filter = ["level"]
    list_select_related = ["worker"]
    raw_id_fields = ["worker"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = services.certificate_record(
            worker=obj.worker, level=obj.level, issued_on=obj.issued_on, number=obj.number, issuer=obj.issuer
        )
        obj.pk = saved.pk
