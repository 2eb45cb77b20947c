"""Reference data of DOMAIN §6 (categories, time limits) and demo incidents, idempotently."""

from . import defaults
from .choices import Level
from .models import Category, TimeLimitPolicy


def seed_reference() -> int:
    created = 0
    for order, (group_code, group_name, kinds) in enumerate(defaults.CATEGORIES):
        group, was_created = Category.objects.get_or_create(
            code=group_code, defaults={"name": group_name, "sort_order": order}
        )
        created += was_created
        for sub_order, (code, name, flags) in enumerate(kinds):
            category, was_created = Category.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "parent": group,
                    "sort_order": sub_order,
                    **defaults.category_flags(flags),
                },
            )
            created += was_created
            for level in Level.values:
                limits = defaults.default_limits(urgent=category.urgent, level=level)
                _, was_created = TimeLimitPolicy.objects.get_or_create(
                    category=category,
                    level=level,
                    defaults={
                        "accept_amount": limits["accept"][0],
                        "accept_unit": limits["accept"][1],
                        "handle_amount": limits["handle"][0],
                        "handle_unit": limits["handle"][1],
                        "verify_amount": limits["verify"][0],
                        "verify_unit": limits["verify"][1],
                    },
                )
                created += was_created
    return created


def seed(stdout=None) -> int:
    created = seed_reference()
    if stdout:
        stdout.write(f"incidents: {created} reference row(s) created")
    return created
