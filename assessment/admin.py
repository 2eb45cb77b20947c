from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedAdminMixin, service_call

from . import services
from .choices import SchemeStatus
from .formulas import formula_choices
from .models import (
    Appeal,
    AssessmentRun,
    GradeBand,
    Indicator,
    PeerGroup,
    Result,
    Scheme,
    Score,
    SupervisionCheck,
)


class WeightsSumTo100FormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        total = Decimal(0)
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("weight") or 0
        try:
            services.check_weights([{"weight": total}] if total else [])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class IndicatorForm(forms.ModelForm):
    formula = forms.ChoiceField(label=_("formula"), choices=formula_choices)

    class Meta:
        model = Indicator
        fields = ["order", "code", "name", "weight", "source", "formula", "params", "score_when_empty"]


class SchemePartInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.status == SchemeStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class IndicatorInline(SchemePartInline):
    model = Indicator
    form = IndicatorForm
    formset = WeightsSumTo100FormSet


class PeerGroupInline(SchemePartInline):
    model = PeerGroup


class GradeBandInline(SchemePartInline):
    model = GradeBand


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["year", "subject_type", "name", "status", "period_start", "period_end"]
    list_filter = ["year", "subject_type", "status"]
    search_fields = ["name"]
    inlines = [IndicatorInline, PeerGroupInline, GradeBandInline]
    readonly_fields = ["status", "copied_from", "created_by"]
    actions = ["copy_to_next_year", "retire"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != SchemeStatus.DRAFT:
            return [f.name for f in Scheme._meta.fields if f.name not in ("id", "created_at", "updated_at")]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Copy to the next year"))
    def copy_to_next_year(self, request, queryset):
        for scheme in queryset:
            if service_call(
                request, services.scheme_copy, scheme=scheme, year=scheme.year + 1, actor=request.user
            ):
                messages.success(request, gettext("Copied %(scheme)s.") % {"scheme": scheme})

    @admin.action(description=_("Retire"))
    def retire(self, request, queryset):
        for scheme in queryset:
            service_call(request, services.scheme_retire, scheme=scheme, actor=request.user)


@admin.register(SupervisionCheck)
class SupervisionCheckAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["checked_on", "subject_type", "area", "points", "inspector", "voided_at"]
    list_filter = ["subject_type", "checked_on"]
    search_fields = ["findings", "area__name"]
    autocomplete_fields = ["area", "worker"]
    readonly_fields = ["inspector", "voided_at", "void_reason"]
    date_hierarchy = "checked_on"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        check = services.check_record(
            inspector=request.user,
            subject_type=data["subject_type"],
            area=data.get("area"),
            worker=data.get("worker"),
            checked_on=data["checked_on"],
            findings=data["findings"],
            points=data["points"],
            photo=data.get("photo"),
            indicator_code=data.get("indicator_code", ""),
        )
        obj.pk = check.pk


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    fields = ["indicator", "value", "numerator", "denominator", "normalised", "weighted", "record_kind"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentRun)
class AssessmentRunAdmin(ReadOnlyAdmin):
    list_display = [
        "scheme",
        "version",
        "status",
        "progress_done",
        "progress_total",
        "duration_ms",
        "published_at",
    ]
    list_filter = ["status", "scheme__year", "scheme__subject_type"]
    actions = ["review", "publish", "freeze"]

    @admin.action(description=_("Mark reviewed"), permissions=["review"])
    def review(self, request, queryset):
        for run in queryset:
            service_call(request, services.run_review, run=run, actor=request.user)

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):
        for run in queryset:
            service_call(request, services.run_publish, run=run, actor=request.user)

    @admin.action(description=_("Freeze"), permissions=["publish"])
    def freeze(self, request, queryset):
        for run in queryset:
            service_call(request, services.run_freeze, run=run, actor=request.user)

    def has_review_permission(self, request):
        return request.user.has_perm("assessment.review_run")

    def has_publish_permission(self, request):
        return request.user.has_perm("assessment.publish_run")


@admin.register(Result)
class ResultAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["subject_name", "run", "town", "peer_group", "total", "rank", "group_size", "grade"]
    list_filter = ["run__scheme", "run", "grade", "peer_group"]
    search_fields = ["subject_name", "subject_code"]
    list_select_related = ["run__scheme", "town"]
    inlines = [ScoreInline]


@admin.register(Appeal)
class AppealAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["result", "appellant", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [
        "result",
        "appellant",
        "reason",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
        "new_run",
    ]
    actions = ["reject"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Reject (reason: see the scheme's rules)"), permissions=["decide"])
    def reject(self, request, queryset):
        for appeal in queryset:
            service_call(
                request,
                services.appeal_decide,
                appeal=appeal,
                upheld=False,
                reason=gettext("Rejected: the result follows the scheme's rules and records."),
                actor=request.user,
            )

    def has_decide_permission(self, request):
        return request.user.has_perm("assessment.decide_appeal")
