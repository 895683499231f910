"""Benchmark the SLA engine: deadline maths, ticket creation with clocks, bulk clocks.

Everything written to the database happens in one transaction that is rolled
back at the end, so the command can run against any database (PostgreSQL for
the published figures).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import Organisation, Role, User
from bench.calendar import calendar_throughput
from sla.models import Clock
from sla.policies import applicable_agreement
from sla.services.starting import clocks_start_for_new_tickets
from tickets.models import Priority, Ticket
from tickets.services import ticket_create


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print add_business_minutes calls/s and ticket creations/s including SLA clocks."

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=int, default=200_000, help="Calendar calls to time.")
        parser.add_argument("--tickets", type=int, default=500, help="Tickets via ticket_create.")
        parser.add_argument("--bulk", type=int, default=20_000, help="Tickets via the bulk hook.")

    def handle(self, *args, calls: int, tickets: int, bulk: int, **options):
        if min(calls, tickets, bulk) < 1:
            raise CommandError("--calls, --tickets and --bulk must be at least 1.")
        figures = calendar_throughput(calls=calls)
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        self.stdout.write(
            f"add_business_minutes:      {figures['add_per_second']:>12,.0f} calls/s "
            f"({calls:,} calls, Berlin Mon-Fri 09-17, targets up to 30 days)"
        )
        self.stdout.write(
            f"business_minutes_between:  {figures['between_per_second']:>12,.0f} calls/s"
        )
        try:
            with transaction.atomic():
                self._tickets(tickets, bulk)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(all benchmark rows rolled back)")

    def _tickets(self, count: int, bulk: int) -> None:
        org = Organisation.objects.create(name="Bench SLA org", time_zone="Europe/Berlin")
        requester = User.objects.create(
            username="bench-sla-requester", role=Role.CUSTOMER, organisation=org
        )
        if applicable_agreement(org.pk) is None:
            raise CommandError("No default agreement: run migrations first (sla 0002).")
        priorities = Priority.values
        ticket_create(requester=requester, subject="warm-up", description="cache")
        started = time.perf_counter()
        for i in range(count):
            ticket_create(
                requester=requester,
                subject=f"Bench ticket {i}",
                description="Printer on fire.",
                priority=priorities[1 + i % 3],
            )
        elapsed = time.perf_counter() - started
        clocks = Clock.objects.filter(ticket__requester=requester).count()
        self.stdout.write(
            f"ticket_create with clocks: {count / elapsed:>12,.1f} tickets/s "
            f"({count} tickets, {clocks} clocks, {elapsed:.2f} s, savepoint per ticket)"
        )
        rows = Ticket.objects.bulk_create(
            (
                Ticket(
                    subject=f"Bulk {i}",
                    description="d",
                    requester=requester,
                    organisation=org,
                    priority=priorities[i % 4],
                )
                for i in range(bulk)
            ),
            batch_size=5000,
        )
        started = time.perf_counter()
        made = len(clocks_start_for_new_tickets(tickets=rows))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"bulk hook (clocks+columns): {bulk / elapsed:>11,.0f} tickets/s "
            f"({bulk:,} tickets, {made:,} clocks, {elapsed:.2f} s)"
        )
