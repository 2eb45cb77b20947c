from django.core.management.base import BaseCommand, CommandError

from core.tree import verify_mptt
from grids.models import Area
from grids.services import tree_rebuild


class Command(BaseCommand):
    help = "Check the area tree's MPTT columns against the parent links; exit non-zero when corrupt."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild the MPTT columns (under the tree lock)."
        )

    def handle(self, *args, rebuild, **options):
        problems = verify_mptt(Area)
        if problems and rebuild:
            self.stdout.write(f"{len(problems)} problem(s) found; rebuilding…")
            tree_rebuild()
            problems = verify_mptt(Area)
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            raise CommandError(
                f"The area tree is corrupt: {len(problems)} problem(s). Run with --rebuild to repair."
            )
        self.stdout.write(self.style.SUCCESS(f"Area tree OK: {Area.objects.count()} nodes."))
