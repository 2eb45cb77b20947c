from django import template

from core.pii import masked_value

register = template.Library()


@register.filter
def masked(obj, field: str) -> str:
    """The masked form of a protected field: pages never print the value itself."""
    return masked_value(obj, field)
