"""Time the manager dashboard at growing sizes: rolled up, and on a desk never refreshed.

Run against a database of its own (the rows stay, each size adds to the last), e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierdesk_bench_dash \\
    .venv/bin/python manage.py migrate && \\
  DATABASE_URL=… .venv/bin/python manage.py bench_dashboard --sizes 100000,1000000
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from bench import dashboard as bench
from reports.models import RollupState
from reports.services import rollups_rebuild, rollups_refresh
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Time GET /dashboard/ (14 and 30 days) at each size: rolled up, and never refreshed."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="20000,100000,1000000")
        parser.add_argument("--days", type=int, default=90, help="History the tickets span.")
        parser.add_argument("--repeat", type=int, default=15)
        parser.add_argument("--live", action="store_true", help="Also time a desk never refreshed.")

    def handle(self, *args, sizes, days, repeat, live, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        out = self.stdout.write
        out(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
        manager = bench.cast()[0]
        today = timezone.localdate()
        periods = {
            "14 days": {},
            "30 days": {"start": (today - timezone.timedelta(days=29)).isoformat()},
        }
        for size in (int(s) for s in sizes.split(",")):
            have = Ticket.objects.count()
            if size > have:
                started = time.perf_counter()
                bench.load(count=size - have, days=days, now=timezone.now())
                out(f"loaded {size - have:,} tickets in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            rows = rollups_rebuild()
            out(f"{size:>9,} tickets: rollups_rebuild {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            refreshed = rollups_refresh()
            out(
                f"{'':>19} rollups_refresh ({settings.TIERDESK_ROLLUP_REFRESH_DAYS} days) "
                f"{time.perf_counter() - started:.1f} s; "
                f"{rows:,} rollup rows in all, {refreshed:,} refreshed"
            )
            for name, query in periods.items():
                median, worst, queries = bench.time_page(
                    manager=manager, query=query, repeat=repeat
                )
                out(
                    f"{'':>19} /dashboard/ {name}, rolled up: median {median:.1f} ms, "
                    f"max {worst:.1f} ms, {queries} queries"
                )
            if live:
                # A desk whose beat never ran: the first page refreshes the rollups of the
                # reader's zone once (reports.services.rollups_cover), the next ones read them.
                RollupState.objects.all().delete()
                started = time.perf_counter()
                bench.first_page(manager=manager)
                first = (time.perf_counter() - started) * 1000
                median, worst, queries = bench.time_page(manager=manager, query={}, repeat=3)
                out(
                    f"{'':>19} /dashboard/ 14 days, never refreshed: first page {first:.0f} ms "
                    f"(refreshes once), then median {median:.1f} ms, {queries} queries"
                )
