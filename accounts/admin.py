from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import MaskedPIIAdminMixin, ScopedAdminMixin

from .models import Department, User
from .roles import STAFF_ROLES, apply_role


@admin.register(User)
class UserAdmin(ScopedAdminMixin, MaskedPIIAdminMixin, DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "jurisdiction", "department", "phone", "is_active"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["jurisdiction"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and jurisdiction"), {"fields": ("display_name", "role", "jurisdiction", "department")}),
        (_("Status"), {"fields": ("is_active", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2", "role", "jurisdiction", "department"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        obj.is_staff = obj.role in STAFF_ROLES or obj.is_superuser
        super().save_model(request, obj, form, change)
        apply_role(obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "is_active"]
    search_fields = ["code", "name"]
