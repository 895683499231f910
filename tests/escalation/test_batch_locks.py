"""A ticket locked by another transaction is passed over by the batch and done next sweep."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind
from escalation.services.sweep import escalation_sweep
from tickets.models import Ticket

from .helpers import response_clock
from .overdue import overdue_tickets

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def hold_lock(ticket_id, locked, release):
    """In another connection: lock the ticket row (as a reply would) until told to stop."""
    try:
        with transaction.atomic():
            list(Ticket.objects.select_for_update().filter(pk=ticket_id))
            locked.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def test_a_locked_ticket_is_skipped_and_escalated_by_the_next_sweep(alice, agreement, staff):
    tickets = overdue_tickets(alice, 5)
    busy = tickets[1]
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock, args=(busy.pk, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        first = escalation_sweep()  # returns at once: SKIP LOCKED, no waiting on the reply
        assert (first.breaches, first.escalations, first.errors) == (4, 4, 0)
        assert response_clock(busy, Tier.L1).is_running
        busy.refresh_from_db()
        assert busy.tier == Tier.L1
    finally:
        release.set()
        holder.join(timeout=30)
    second = escalation_sweep()
    assert (second.breaches, second.escalations) == (1, 1)
    assert set(Ticket.objects.values_list("tier", flat=True)) == {Tier.L2}
    assert Escalation.objects.filter(kind=EscalationKind.BREACH).count() == 5
