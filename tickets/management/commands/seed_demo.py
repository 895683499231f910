import time

from django.core.management.base import BaseCommand, CommandError

from tickets.demo import CAST, DEMO_PASSWORD, bulk_tickets, ensure_cast, ensure_sample_tickets


class Command(BaseCommand):
    help = "Create the demo organisations and users (idempotent); --tickets N adds N tickets."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=0, help="Add this many tickets in bulk.")

    def handle(self, *args, tickets: int, **options):
        if tickets < 0:
            raise CommandError("--tickets must be 0 or more.")
        ensure_cast()
        self.stdout.write(f"Demo users ready (password '{DEMO_PASSWORD}'):")
        for spec in CAST:
            role = spec["role"] + (f" {spec['tier']}" if spec.get("tier") else "")
            extra = " VIP" if spec.get("is_vip") else ""
            org = spec.get("org", "-")
            self.stdout.write(f"  {spec['username']:<8} {role:<16} {org}{extra}")
        samples = ensure_sample_tickets()
        if samples:
            self.stdout.write(f"Created {samples} sample tickets.")
        if tickets:
            started = time.perf_counter()
            made = bulk_tickets(tickets)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"Added {made} tickets in {elapsed:.1f} s ({made / elapsed:,.0f}/s).")
