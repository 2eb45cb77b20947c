import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from assessment import services
from assessment.bench import default_scheme, generate_year, generated
from assessment.choices import SubjectType


class Command(BaseCommand):
    help = (
        "Time the computation of the seeded district's assessment (worker, grid and town schemes) over a year "
        "of generated records; seeds the district and generates the records first if they are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--subject", choices=SubjectType.values, action="append")

    def handle(self, *args, year, subject, **options):
        from workers.models import DutyLog, Worker

        if Worker.objects.count() < 385:
            self.stdout.write("seeding the district (seed_enyang)…")
            call_command("seed_enyang", stdout=self.stdout)
        if not generated(year):
            self.stdout.write(f"generating a year of records for {year}…")
            started = time.monotonic()
            generate_year(year, stdout=self.stdout)
            self.stdout.write(f"\ngenerated in {time.monotonic() - started:.1f} s")
        from incidents.models import Incident

        self.stdout.write(
            f"data: {Worker.objects.count()} workers, "
            f"{Incident.objects.filter(reported_at__year=year).count()} incidents and "
            f"{DutyLog.objects.filter(occurred_at__year=year).count()} duty logs in {year}"
        )
        total = 0.0
        for subject_type in subject or SubjectType.values:
            scheme = default_scheme(year, subject_type)
            started = time.monotonic()
            run = services.run_start(scheme=scheme, reason="bench_assessment", queue=False)
            run = services.run_compute(run=run)
            seconds = time.monotonic() - started
            total += seconds
            self.stdout.write(
                f"{scheme}: v{run.version} {run.status}, {run.results.count()} results, "
                f"{scheme.indicators.count()} indicators, {seconds:.2f} s"
            )
        self.stdout.write(self.style.SUCCESS(f"total {total:.2f} s"))
