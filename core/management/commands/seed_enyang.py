from django.core.management.base import BaseCommand
from django.db import transaction

from core.modules import import_optional

# Each app seeds its own part in `<app>/seed.py` (a `seed(stdout=None)` function), in this order, since
# later parts stand on earlier ones. Every part is idempotent: a second run creates nothing.
SEED_ORDER = ["grids", "accounts", "workers", "registry", "forces", "incidents", "assessment"]


class Command(BaseCommand):
    help = "Load the Enyang District demo seed (DOMAIN §2). Idempotent: running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="Seed only these apps (in the fixed order).")

    def handle(self, *args, only=None, **options):
        for app in SEED_ORDER:
            if only and app not in only:
                continue
            module = import_optional(f"{app}.seed")
            if module is None:
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Seed loaded."))
