from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .errors import ConflictError
from .models import AuditLog
from .pii import can_reveal, masked_value, protected_fields


class ScopedAdminMixin:
    """Admin lists start from `visible_to(user)`: rows outside the jurisdiction are absent."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class MaskedPIIAdminMixin:
    """Protected fields appear masked in lists and detail pages; the form never shows the stored value."""

    def get_list_display(self, request):
        return [
            self._masked(name) if name in protected_fields(self.model) else name
            for name in super().get_list_display(request)
        ]

    def _masked(self, name):
        def display(obj):
            return masked_value(obj, name)

        display.short_description = self.model._meta.get_field(name).verbose_name
        return display


def service_call(request, func, *args, **kwargs):
    """Run a service from an admin action and turn its refusals into messages."""
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except ConflictError as exc:
        messages.error(request, str(exc.message))
    return None


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "action", "object_type", "object_repr", "field", "reason", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_repr", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


__all__ = ["ScopedAdminMixin", "MaskedPIIAdminMixin", "service_call", "can_reveal"]
