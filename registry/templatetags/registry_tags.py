from django import template

from core.pii import masked_value

register = template.Library()


@register.filter
def masked(obj, field_name: str) -> str:
    """The masked form of a protected field: the only form a page ever shows."""
    return masked_value(obj, field_name)
