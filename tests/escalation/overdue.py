"""Tickets whose L1 response clock is already overdue, made through the real services."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from tickets.services import ticket_create


def overdue_tickets(requester, count, *, hours_ago=3):
    """`count` tickets filed `hours_ago` (24×7 agreement: L1 response long due, resolution not)."""
    with time_machine.travel(timezone.now() - timedelta(hours=hours_ago), tick=True):
        return [
            ticket_create(requester=requester, subject=f"Outage {n}", description="Down.")
            for n in range(count)
        ]
