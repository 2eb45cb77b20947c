from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grids.importing import ImportRejected, import_areas, read_rows


class Command(BaseCommand):
    help = "Import the division list from an .xlsx or .csv file (columns: code, name, kind, parent_code, …)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.exists():
            raise CommandError(f"No such file: {path}")
        try:
            result = import_areas(read_rows(file.read_bytes(), file.name))
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing imported: {len(exc.errors)} bad row(s).") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Imported: {result['created']} created, {result['updated']} updated.")
        )
