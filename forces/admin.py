from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import MaskedPIIAdminMixin, ScopedAdminMixin
from core.errors import ConflictError
from core.pii import masked_value
from grids.models import Area

from . import services
from .models import (
    Activation,
    ActivationTask,
    DutyShift,
    EmergencyPlan,
    ForceMember,
    GridLeader,
    Mobilisation,
    PlanAttachment,
)


def _service(request, func, **kwargs):
    """Run a service from an admin action; refusals become messages."""
    try:
        return func(**kwargs)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except (ConflictError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return None


class AreaScopedFormMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Area:
            kwargs["queryset"] = Area.objects.visible_to(request.user)
        if db_field.related_model is ForceMember:
            kwargs["queryset"] = ForceMember.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ForceMember)
class ForceMemberAdmin(ScopedAdminMixin, MaskedPIIAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "subtype", "area", "department", "organisation", "phone", "status"]
    list_filter = ["kind", "status", "subtype", "self_registered", "department"]
    search_fields = ["name", "organisation", "area__name", "area__code"]
    raw_id_fields = ["area", "user"]
    autocomplete_fields = []
    filter_horizontal = ["extra_areas"]
    readonly_fields = [
        "kind",
        "masked_phone",
        "self_registered",
        "reviewed_by",
        "reviewed_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "name",
        "kind",
        "subtype",
        "organisation",
        "department",
        "masked_phone",
        "phone_input",
        "area",
        "extra_areas",
        "user",
        "status",
        "note",
        "ref",
        "self_registered",
        "reviewed_by",
        "reviewed_at",
    ]
    actions = ["approve", "reject", "retire"]
    list_select_related = ["area", "department"]

    def get_form(self, request, obj=None, **kwargs):

        # The stored phone is never shown; typing a new one replaces it.
        class Form(forms.ModelForm):
            phone_input = forms.CharField(
                label=_("contact phone"),
                required=obj is None,
                help_text=_("Leave empty to keep the current number.") if obj else "",
            )

            class Meta:
                model = ForceMember
                fields = [
                    "name",
                    "subtype",
                    "organisation",
                    "department",
                    "area",
                    "extra_areas",
                    "user",
                    "status",
                    "note",
                    "ref",
                ]

            def clean(self):
                data = super().clean()
                probe = ForceMember(
                    **{f: data.get(f) for f in ("name", "subtype", "organisation", "department", "area")},
                    phone=data.get("phone_input") or (obj.phone if obj else ""),
                )
                try:
                    services.check_member(probe)
                except ValidationError as exc:
                    raise ValidationError(exc.messages) from exc
                return data

        kwargs["form"] = Form
        kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else [f for f in self.fields if f != "masked_phone"]

    @admin.display(description=_("contact phone"))
    def masked_phone(self, obj):
        if obj is None or obj.pk is None:
            return ""
        # The reveal page checks the permission and records the reason.
        url = reverse("reveal", args=["forces.ForceMember", obj.pk, "phone"])
        return format_html('{} <a href="{}">{}</a>', masked_value(obj, "phone"), url, _("reveal (recorded)"))

    def get_readonly_fields(self, request, obj=None):
        # Once a member exists, the status changes only through the approve, reject and retire actions.
        return [*self.readonly_fields, "status"] if obj is not None else self.readonly_fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "extra_areas":
            kwargs["queryset"] = Area.objects.visible_to(request.user).filter(kind__startswith="grid")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.MEMBER_FIELDS if f in form.cleaned_data}
        phone = form.cleaned_data.get("phone_input")
        if phone:
            data["phone"] = phone
        try:
            if change:
                saved = services.member_update(member=obj, actor=request.user, **data)
            else:
                saved = services.member_create(
                    actor=request.user, status=form.cleaned_data.get("status", "active"), **data
                )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            raise
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        form.instance = ForceMember.objects.get(pk=form.instance.pk)
        form.instance.extra_areas.set(form.cleaned_data.get("extra_areas", []))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve the selected registrations"), permissions=["change"])
    def approve(self, request, queryset):
        done = sum(
            bool(_service(request, services.member_approve, member=m, actor=request.user)) for m in queryset
        )
        self.message_user(request, _("%(n)d approved.") % {"n": done})

    @admin.action(description=_("Reject the selected registrations"), permissions=["change"])
    def reject(self, request, queryset):
        done = sum(
            bool(_service(request, services.member_reject, member=m, actor=request.user)) for m in queryset
        )
        self.message_user(request, _("%(n)d rejected.") % {"n": done})

    @admin.action(description=_("Retire the selected members"), permissions=["change"])
    def retire(self, request, queryset):
        done = sum(
            bool(_service(request, services.member_retire, member=m, actor=request.user)) for m in queryset
        )
        self.message_user(request, _("%(n)d retired.") % {"n": done})


@admin.register(GridLeader)
class GridLeaderAdmin(ScopedAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["area", "member", "assigned_by", "updated_at"]
    search_fields = ["area__name", "area__code", "member__name"]
    raw_id_fields = ["area", "member"]
    readonly_fields = ["assigned_by"]
    list_select_related = ["area", "member", "assigned_by"]

    def save_model(self, request, obj, form, change):
        if change:
            GridLeader.objects.filter(pk=obj.pk).exclude(area=obj.area).delete()
        saved = services.grid_leader_assign(area=obj.area, member=obj.member, actor=request.user)
        obj.pk = saved.pk

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class Form(form_class):
            def clean(self):
                data = super().clean()
                area, member = data.get("area"), data.get("member")
                if area and member:
                    try:
                        services._check_leader_pairing(area, member)
                    except ValidationError as exc:
                        raise ValidationError(exc.messages) from exc
                return data

            def validate_unique(self):
                pass  # assigning replaces the grid's previous leader

        return Form

    def delete_model(self, request, obj):
        services.grid_leader_remove(area=obj.area, actor=request.user)


class PlanAttachmentInline(admin.TabularInline):
    model = PlanAttachment
    extra = 1
    fields = ["title", "file"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(ScopedAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["name", "emergency_type", "area", "is_active"]
    list_filter = ["emergency_type", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["area"]
    inlines = [PlanAttachmentInline]

    def has_change_permission(self, request, obj=None):
        # Plans from above (the district's) are visible to towns for reference, but only their owners edit them.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.in_scope(request.user, obj.area))


class MobilisationInline(admin.TabularInline):
    model = Mobilisation
    extra = 0
    can_delete = False
    fields = ["member", "notified_at", "acknowledged_at", "checked_in_at", "reminded_at", "leader_told_at"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("member")


class ActivationForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("area") and data.get("emergency_type"):
            # The same checks run again, under the lock, when the service opens the activation.
            try:
                services.activation_precheck(
                    actor=self.request_user,
                    area=data["area"],
                    emergency_type=data["emergency_type"],
                    is_drill=data.get("is_drill", False),
                )
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
            except (ConflictError, PermissionDenied) as exc:
                raise ValidationError(str(getattr(exc, "message", exc))) from exc
        return data

    class Meta:
        model = Activation
        fields = [
            "title",
            "emergency_type",
            "level",
            "is_drill",
            "area",
            "plan",
            "description",
            "remind_after_minutes",
            "leader_after_minutes",
        ]


@admin.register(Activation)
class ActivationAdmin(ScopedAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["title", "emergency_type", "level", "is_drill", "area", "status", "opened_at", "ended_at"]
    list_filter = ["status", "is_drill", "emergency_type", "level"]
    search_fields = ["title", "area__name"]
    raw_id_fields = ["area"]
    date_hierarchy = "opened_at"
    actions = ["end"]
    inlines = [MobilisationInline]
    form = ActivationForm
    list_select_related = ["area"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Once open, an activation changes only through its transitions (the end action).
        return [
            "title",
            "emergency_type",
            "level",
            "is_drill",
            "area",
            "plan",
            "description",
            "remind_after_minutes",
            "leader_after_minutes",
            "status",
            "opened_by",
            "opened_at",
            "ended_by",
            "ended_at",
            "figures",
        ]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or ActivationForm.Meta.fields

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        form_class.request_user = request.user
        return form_class

    def get_changeform_initial_data(self, request):
        from . import conf

        return {
            "remind_after_minutes": conf.REMIND_AFTER_MINUTES,
            "leader_after_minutes": conf.LEADER_AFTER_MINUTES,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            saved = services.activation_open(
                actor=request.user,
                area=data["area"],
                emergency_type=data["emergency_type"],
                level=data["level"],
                title=data["title"],
                plan=data["plan"],
                is_drill=data["is_drill"],
                description=data["description"],
                remind_after_minutes=data["remind_after_minutes"],
                leader_after_minutes=data["leader_after_minutes"],
            )
        except (ValidationError, ConflictError, PermissionDenied) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(getattr(exc, "message", exc))])))
            raise
        obj.pk = saved.pk

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_related(self, request, form, formsets, change):
        pass  # nothing of an activation is edited here: its call-ups are written by the service

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("End the selected activations"), permissions=["change"])
    def end(self, request, queryset):
        done = sum(
            bool(_service(request, services.activation_end, activation=a, actor=request.user))
            for a in queryset
        )
        self.message_user(request, _("%(n)d ended.") % {"n": done})


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mobilisation)
class MobilisationAdmin(ReadOnlyAdmin):
    list_display = [
        "activation",
        "member",
        "notified_at",
        "acknowledged_at",
        "checked_in_at",
        "reminded_at",
        "leader_told_at",
    ]
    list_filter = ["activation__is_drill", "activation__status"]
    search_fields = ["member__name", "activation__title"]
    exclude = ["token"]
    list_select_related = ["activation", "member"]
    actions = ["acknowledge"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("forces.change_mobilisation")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Mobilisation._meta.fields if f.name != "token"]

    @admin.action(description=_("Record acknowledgement (answered by phone)"), permissions=["change"])
    def acknowledge(self, request, queryset):
        done = sum(
            bool(_service(request, services.mobilisation_acknowledge, mobilisation=m, actor=request.user))
            for m in queryset
        )
        self.message_user(request, _("%(n)d acknowledged.") % {"n": done})


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["member", "activation", "starts_at", "ends_at", "post"]
    list_filter = ["activation"]
    raw_id_fields = ["member", "activation"]
    list_select_related = ["member", "activation"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        saved = services.shift_create(
            activation=obj.activation,
            member=obj.member,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
            post=obj.post,
            actor=request.user,
        )
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ActivationTask)
class ActivationTaskAdmin(ScopedAdminMixin, AreaScopedFormMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "activation", "assignee", "area", "status", "done_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "assignee__name"]
    raw_id_fields = ["activation", "assignee", "area"]
    fields = ["activation", "kind", "title", "assignee", "area"]
    actions = ["mark_done"]
    list_select_related = ["activation", "assignee", "area"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = services.task_assign(
            activation=obj.activation,
            kind=obj.kind,
            title=obj.title,
            assignee=obj.assignee,
            area=obj.area if obj.area_id else None,
            actor=request.user,
        )
        obj.pk = saved.pk

    @admin.action(description=_("Mark the selected tasks done"), permissions=["change"])
    def mark_done(self, request, queryset):
        done = sum(bool(_service(request, services.task_done, task=t, actor=request.user)) for t in queryset)
        self.message_user(request, _("%(n)d done.") % {"n": done})
