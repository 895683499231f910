"""Recompute every dashboard rollup from the raw rows (after an import, a restore, demo data)."""

import time

from django.core.management.base import BaseCommand

from reports.services import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild the dashboard's hourly rollups from clocks, events and ratings."

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = rollups_rebuild()
        self.stdout.write(f"{written} rollup rows in {time.perf_counter() - started:.1f} s")
