from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import MaskedPIIAdminMixin, ScopedAdminMixin, service_call

from . import services
from .choices import Supervision
from .models import (
    Category,
    ExtensionRequest,
    Incident,
    IncidentCodeCounter,
    IncidentEvent,
    IncidentPhoto,
    SupervisionRecord,
    TimeLimitPolicy,
    WorkCalendarOverride,
)


class TimeLimitPolicyInline(admin.TabularInline):
    model = TimeLimitPolicy
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "urgent",
        "direct_to_district",
        "district_from_severity",
        "is_active",
    ]
    list_filter = ["parent", "urgent", "direct_to_district", "is_active"]
    search_fields = ["code", "name"]
    inlines = [TimeLimitPolicyInline]


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "category",
        "level",
        "accept_amount",
        "accept_unit",
        "handle_amount",
        "handle_unit",
        "verify_amount",
        "verify_unit",
    ]
    list_filter = ["level", "category__parent"]
    search_fields = ["category__code", "category__name"]


@admin.register(WorkCalendarOverride)
class WorkCalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "note"]
    date_hierarchy = "date"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = IncidentEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "from_level", "to_level", "note"]
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = IncidentPhoto
    fields = ["stage", "image", "width", "height", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


def _transition_action(service, label, **kwargs):
    def run(modeladmin, request, queryset):
        done = 0
        for incident in queryset:
            if service_call(request, service, incident=incident, actor=request.user, **kwargs) is not None:
                done += 1
        if done:
            messages.success(request, _("%(n)d incident(s) done.") % {"n": done})

    run.short_description = label
    run.__name__ = f"action_{service.__name__}_{'_'.join(str(v) for v in kwargs.values())}"
    return run


@admin.register(Incident)
class IncidentAdmin(ScopedAdminMixin, MaskedPIIAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "category",
        "status",
        "level",
        "grid",
        "handling_department",
        "deadline",
        "yellow_card",
        "red_card",
        "escalation_count",
        "reported_at",
    ]
    list_filter = ["status", "level", "source", "severity", "yellow_card", "red_card", "category__parent"]
    search_fields = ["code", "address"]
    date_hierarchy = "reported_at"
    list_select_related = ["category", "category__parent", "grid", "handling_department"]
    list_per_page = 100
    exclude = ["reporter_name", "reporter_phone", "reporter_phone_hash"]
    readonly_fields = ["masked_reporter_name", "masked_reporter_phone"]
    inlines = [PhotoInline, EventInline]
    actions = [
        _transition_action(services.incident_accept, _("Accept")),
        _transition_action(services.incident_verify, _("Verify")),
        _transition_action(services.incident_close, _("Close")),
        _transition_action(services.incident_supervise, _("Supervision notice"), kind=Supervision.NORMAL),
        _transition_action(services.incident_supervise, _("Yellow card"), kind=Supervision.YELLOW),
        _transition_action(services.incident_supervise, _("Red card"), kind=Supervision.RED),
    ]

    @admin.display(description=_("reporter's name"))
    def masked_reporter_name(self, obj):
        from core.pii import masked_value

        return masked_value(obj, "reporter_name")

    @admin.display(description=_("reporter's phone"))
    def masked_reporter_phone(self, obj):
        from core.pii import masked_value

        return masked_value(obj, "reporter_phone")

    def get_readonly_fields(self, request, obj=None):
        # Every change goes through a named transition (actions, pages, API), never through this form.
        names = [f.name for f in self.model._meta.fields if f.name not in self.exclude]
        return [*names, *self.readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncidentEvent)
class IncidentEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "at", "action", "actor", "from_status", "to_status", "from_level", "to_level"]
    list_filter = ["action", "to_status"]
    search_fields = ["incident__code", "note"]
    list_select_related = ["incident", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IncidentPhoto)
class IncidentPhotoAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "stage", "width", "height", "uploaded_at"]
    readonly_fields = ["incident", "stage", "image", "width", "height", "uploaded_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "amount", "unit", "status", "requested_by", "decided_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ExtensionRequest._meta.fields]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Approve the extension"))
    def approve(self, request, queryset):
        for extension in queryset:
            service_call(
                request,
                services.incident_decide_extension,
                extension=extension,
                actor=request.user,
                approve=True,
            )

    @admin.action(description=_("Refuse the extension"))
    def refuse(self, request, queryset):
        for extension in queryset:
            service_call(
                request,
                services.incident_decide_extension,
                extension=extension,
                actor=request.user,
                approve=False,
            )


@admin.register(SupervisionRecord)
class SupervisionRecordAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["incident", "kind", "level", "by", "automatic", "created_at"]
    list_filter = ["kind", "level", "automatic"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IncidentCodeCounter)
class IncidentCodeCounterAdmin(admin.ModelAdmin):
    list_display = ["day", "last"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
