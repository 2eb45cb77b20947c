"""Time the town and district dashboards over a year of generated incidents (README, docs/performance.md)."""

import datetime as dt
import os
import statistics
import time

from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.roles import apply_role
from grids.choices import TOWN_KINDS
from grids.models import Area

BENCH_SEED = 8
PER_GRID_PER_MONTH = 5.5  # about 25,000 incidents a year across the 385 grids, as in the assessment bench


class Command(BaseCommand):
    help = (
        "Render each dashboard several times as a signed-in user and report the median and slowest time and "
        "the number of queries, cold (section cache emptied before each render) and warm. Seeds the district and generates the last 365 days of incidents first when "
        "they are missing. Run it on a PostgreSQL database of its own (DATABASE_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--town", help="code or name of the town (default: the one with most incidents)")
        parser.add_argument("--limit-ms", type=float, default=300.0, help="fail when a town median is above")

    def handle(self, *args, runs, town, limit_ms, **options):
        from incidents.models import Incident
        from incidents.seed import generate

        if not Area.objects.filter(kind__in=TOWN_KINDS).exists():
            self.stdout.write("seeding the district (seed_enyang)…")
            call_command("seed_enyang", stdout=self.stdout)
        now = timezone.now()
        year_ago = now - dt.timedelta(days=365)
        if Incident.objects.filter(reported_at__gte=year_ago, is_demo=False).count() < 10_000:
            self.stdout.write("generating the last 365 days of incidents…")
            started = time.monotonic()
            created = generate(
                start=year_ago, end=now, per_grid_per_month=PER_GRID_PER_MONTH, seed=BENCH_SEED
            )
            self.stdout.write(f"  {created} incidents in {time.monotonic() - started:.1f} s")
        if connection.vendor == "postgresql":
            # Fresh planner statistics, as autovacuum keeps them on a live database after a bulk load.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        in_year = Incident.objects.filter(reported_at__gte=year_ago)
        self.stdout.write(
            f"data: {in_year.count()} incidents reported in the last 365 days, {Incident.objects.count()} in all"
        )

        target = self._town(town, in_year)
        self.stdout.write(
            f"town: {target.name} ({target.code}), {in_year.filter(town=target).count()} incidents in the year"
        )
        town_user = self._user("bench_town", Role.TOWN_STAFF, target)
        district_user = self._user(
            "bench_district", Role.DISTRICT_STAFF, Area.objects.get(parent__isnull=True)
        )
        today = timezone.localdate()
        year = f"start={(today - dt.timedelta(days=364)).isoformat()}&end={today.isoformat()}"
        town_url = reverse("dashboards:town", args=[target.pk])
        town_api = reverse("api:dashboard-town", args=[target.pk])
        cases = [
            ("town dashboard, last 30 days (default)", town_user, town_url, True),
            ("town dashboard, last 365 days", town_user, f"{town_url}?{year}", True),
            ("town dashboard API, last 365 days", town_user, f"{town_api}?{year}", True),
            ("district dashboard, last 30 days", district_user, reverse("dashboards:district"), False),
            (
                "district dashboard, last 365 days",
                district_user,
                f"{reverse('dashboards:district')}?{year}",
                False,
            ),
        ]
        failed = []
        self.stdout.write(
            f"{'page':40} {'cold median':>12} {'slowest':>9} {'CPU':>7} {'queries':>8} {'warm median':>12} {'queries':>8}"
        )
        for label, user, url, checked in cases:
            cold, slowest, cold_queries = self._time(user, url, runs, cold=True)
            cold_cpu = self.cpu
            warm, _slowest, warm_queries = self._time(user, url, runs, cold=False)
            self.stdout.write(
                f"{label:40} {cold:10.1f}ms {slowest:7.1f}ms {cold_cpu:5.0f}ms {cold_queries:8d} "
                f"{warm:10.1f}ms {warm_queries:8d}"
            )
            if checked and cold > limit_ms:
                failed.append(label)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        self.stdout.write(
            f"load average during the run: {load:.2f} on {os.cpu_count()} CPUs (CPU = this process)"
        )
        if failed:
            raise CommandError(f"over {limit_ms:.0f} ms: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS(f"town dashboards under {limit_ms:.0f} ms"))

    def _town(self, wanted, incidents) -> Area:
        towns = Area.objects.filter(kind__in=TOWN_KINDS)
        if wanted:
            found = towns.filter(code=wanted).first() or towns.filter(name=wanted).first()
            if found is None:
                raise CommandError(f"no town {wanted!r}")
            return found
        from django.db.models import Count

        busiest = incidents.values("town_id").annotate(n=Count("pk")).order_by("-n").first()
        return towns.get(pk=busiest["town_id"]) if busiest else towns.first()

    def _user(self, username, role, area) -> User:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"role": role, "jurisdiction": area, "is_active": True}
        )
        apply_role(user)  # the role's permissions, so every section shows as it does for real staff
        return User.objects.get(pk=user.pk)

    def _time(self, user, url, runs, *, cold: bool) -> tuple[float, float, int]:
        """Median and slowest time of `runs` renders; cold = with the section cache emptied before each."""
        client = Client()
        client.force_login(user)
        response = client.get(url)  # warm-up: templates, translations, connection
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        timings, cpu = [], []
        for _ in range(runs):
            if cold:
                cache.clear()
            reset_queries()
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        self.cpu = statistics.median(cpu)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return statistics.median(timings), max(timings), len(ctx.captured_queries)
