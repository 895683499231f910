import time

from django.core.management.base import BaseCommand, CommandError

from tickets.demo import CAST, DEMO_PASSWORD, bulk_tickets
from tickets.models import Ticket


class Command(BaseCommand):
    help = (
        "Create the demo organisations and users (idempotent) and, on an empty desk, 90 days "
        "of ticket history; --tickets N adds N tickets with history, --bulk N plain tickets."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=None,
            help="Add this many tickets with 90 days of history (default: a desk's worth "
            "when there are no tickets yet, else none).",
        )
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same desk.")
        parser.add_argument(
            "--bulk", type=int, default=0, help="Add this many plain tickets (benchmarks)."
        )

    def handle(self, *args, tickets: int | None, seed: int, bulk: int, **options):
        # The desk's history reaches into the SLA and escalation tables, so it lives in
        # escalation.demo; the dashboard's rollups sit above that, in reports.
        from escalation.demo import DEFAULT_TICKETS, ensure_people, seed_desk
        from reports.services import rollups_rebuild

        if (tickets is not None and tickets < 0) or bulk < 0:
            raise CommandError("--tickets and --bulk must be 0 or more.")
        ensure_people()
        self.stdout.write(f"Demo users ready (password '{DEMO_PASSWORD}'):")
        for spec in CAST:
            role = spec["role"] + (f" {spec['tier']}" if spec.get("tier") else "")
            extra = " VIP" if spec.get("is_vip") else ""
            org = spec.get("org", "-")
            self.stdout.write(f"  {spec['username']:<8} {role:<16} {org}{extra}")
        if tickets is None:
            tickets = 0 if Ticket.objects.exists() else DEFAULT_TICKETS
        if tickets:
            started = time.perf_counter()
            made = seed_desk(tickets, seed=seed)
            # The dashboard reads whole past hours from its rollups: cover the new history.
            rollups_rebuild()
            elapsed = time.perf_counter() - started
            self.stdout.write(f"Added {made} tickets with 90 days of history in {elapsed:.1f} s.")
        if bulk:
            started = time.perf_counter()
            made = bulk_tickets(bulk)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"Added {made} tickets in {elapsed:.1f} s ({made / elapsed:,.0f}/s).")
