"""Benchmark the sweep on PostgreSQL: idle sweeps at growing sizes, a 100k breach drain.

Run against a database of its own, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierdesk_bench_esc \\
    .venv/bin/python manage.py migrate && \\
  DATABASE_URL=… .venv/bin/python manage.py bench_escalation --sizes 10000,100000,1000000
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import escalation as bench
from escalation.models import Escalation, Notification
from sla.models import Clock
from tickets.models import TicketEvent


class Command(BaseCommand):
    help = "Time the escalation sweep: idle at 10k/100k/1M open tickets, then a breach drain."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000,1000000")
        parser.add_argument("--drain", type=int, default=100_000, help="Clocks breached at once.")
        parser.add_argument(
            "--naive-sample",
            type=int,
            default=20_000,
            help="Open tickets the naive loop scans; its full time is extrapolated from these.",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="OS processes draining batches in parallel (1: the sweep alone).",
        )
        parser.add_argument(
            "--per-clock-sample",
            type=int,
            default=1000,
            help="Clocks then breached at once and drained one clock per batch (0: skip).",
        )

        parser.add_argument(
            "--broker",
            action="store_true",
            help="Hand the outbox rows to the Celery broker as production does (one process).",
        )

    def handle(
        self, *args, sizes, drain, naive_sample, processes, per_clock_sample, broker, **options
    ):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (set DATABASE_URL).")
        if Clock.objects.exists():
            raise CommandError("Run it on an empty, freshly migrated database of its own.")
        requester, agreement = bench.cast()
        out = self.stdout.write
        out(f"database {connection.settings_dict['NAME']}")
        out("\nidle sweep (nothing due)")
        out(f"{'open tickets':>14} {'load s':>8} {'median ms':>10} {'max ms':>8}")
        for size in [int(s) for s in sizes.split(",") if s]:
            missing = size - bench.open_tickets()
            started = time.perf_counter()
            if missing > 0:
                bench.load(count=missing, requester=requester, agreement=agreement, now=bench.now())
            loaded = time.perf_counter() - started
            median, worst = bench.time_idle_sweep()
            out(f"{bench.open_tickets():>14,} {loaded:>8.1f} {median:>10.2f} {worst:>8.2f}")
        out("\nplan of the due-clock query:\n" + bench.explain_due_query(bench.now()))

        now = bench.now()
        bench.make_due(count=drain, now=now)
        events_before = TicketEvent.objects.count()
        if processes > 1:
            seconds, result = bench.drain_parallel(now=now, processes=processes)
        else:
            seconds, result = bench.drain(now=now, queue=broker)
        open_count = bench.open_tickets()
        out(f"\ndrain: {drain:,} clocks breached at once among {open_count:,} open tickets")
        out(f"  processes: {processes}, broker: {'on' if broker else 'off (queueing skipped)'}")
        out(f"  sweep: {seconds:.1f} s ({drain / seconds:,.0f} clocks/s) {result.as_dict()}")
        out(f"  batch size: {settings.TIERDESK_ESCALATION_BATCH_SIZE} clocks per transaction")
        out(
            f"  wrote: {Escalation.objects.count():,} escalations, "
            f"{Notification.objects.count():,} outbox rows, "
            f"{TicketEvent.objects.count() - events_before:,} events"
        )

        # The naive loop's own cost is the scan (its per-clock work is the sweep's):
        # time it on a sample, add the drain's per-clock cost for the due ones.
        if naive_sample:  # 0: skip
            naive_s, scanned, processed = bench.naive_scan(sample=naive_sample, now=bench.now())
            per_ticket = naive_s / scanned
            per_clock = seconds / max(result.breaches, 1)
            extrapolated = per_ticket * open_count + per_clock * drain
            out(f"\nnaive per-ticket loop: {scanned:,} tickets scanned in {naive_s:.1f} s")
            out(f"  ({processed} due clocks found: the drain took them all)")
            out(
                f"  extrapolated to {open_count:,} open tickets + {drain:,} due: "
                f"{extrapolated:,.0f} s"
            )
            out(f"  ratio naive / sweep: {extrapolated / seconds:.1f}x")

        if per_clock_sample:
            # The same work one clock per batch (each clock its own transaction).
            now = bench.now()
            bench.make_due(count=per_clock_sample, now=now)
            slow_s, slow = bench.drain(now=now, batch_size=1)
            rate = slow.breaches / slow_s
            out(f"\none clock per batch: {slow.breaches:,} clocks in {slow_s:.1f} s")
            out(f"  ({rate:,.0f}/s)")
            projected = drain / rate
            out(f"  {drain:,} at that rate: {projected:,.0f} s ({projected / seconds:.0f}x)")
