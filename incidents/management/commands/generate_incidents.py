import time

from django.core.management.base import BaseCommand

from incidents.seed import generate_year, seed_reference


class Command(BaseCommand):
    help = "Bulk-create a year of realistic incidents with their events (benchmark and assessment data)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--per-grid-per-month", type=float, default=3.0)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, year, per_grid_per_month, seed, **options):
        seed_reference()
        started = time.monotonic()
        created = generate_year(year=year, per_grid_per_month=per_grid_per_month, seed=seed)
        self.stdout.write(f"{created} incidents for {year} in {time.monotonic() - started:.1f} s")
