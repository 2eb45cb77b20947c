from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.pii import mask, protected_fields


class ScopedQuerysetMixin:
    """Every API view starts from `visible_to(request.user)`: outside the scope is a 404."""

    queryset_model = None

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.visible_to(self.request.user)


@extend_schema_field({"type": "string", "readOnly": True, "description": "masked, e.g. 5119**********1234"})
class MaskedField(serializers.Field):
    """Read-only: the masked form of a protected field (never the value itself)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        field = protected_fields(type(instance))[self.source]
        return mask(getattr(instance, self.source), field.kind)
