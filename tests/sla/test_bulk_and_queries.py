"""Bulk hook for demo/benchmark inserts, and constant query counts for the per-ticket engine."""

import weakref

import pytest
from django.db import connection
from django.dispatch import Signal
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from sla.models import Clock, ClockKind, ClockPause
from sla.services.starting import clocks_start_for_new_tickets
from sla.services.sync import sla_columns
from tickets import demo
from tickets import signals as ticket_signals
from tickets.models import EventKind, Priority, Status, Ticket, TicketEvent
from tickets.services import ticket_change_status, ticket_create, ticket_move_tier

from .conftest import berlin

pytestmark = pytest.mark.django_db


def test_bulk_created_tickets_get_clocks_and_columns(standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    assert demo.bulk_tickets(120, batch_size=50) == 120
    tickets = list(Ticket.objects.all())
    clocks = list(Clock.objects.all())
    by_ticket = {t.pk: [c for c in clocks if c.ticket_id == t.pk] for t in tickets}
    for ticket in tickets:
        own = by_ticket[ticket.pk]
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            assert own == []
            assert ticket.response_due_at is None and ticket.resolution_due_at is None
            continue
        assert sorted((c.kind, c.tier) for c in own) == [
            (ClockKind.RESOLUTION, ""),
            (ClockKind.RESPONSE, ticket.tier),
        ]
        assert all(c.agreement_id == standard.pk for c in own)
        expected = sla_columns(tier=ticket.tier, clocks=own)
        assert {k: getattr(ticket, k) for k in expected} == expected
        assert ticket.response_due_at is not None
        assert ticket.sla_paused == (ticket.status == Status.PENDING_CUSTOMER)
    pending = [c for c in clocks if c.paused_at is not None]
    assert pending and ClockPause.objects.count() == len(pending)
    assert TicketEvent.objects.filter(kind=EventKind.CLOCK_STARTED).count() == len(clocks)
    l3_p1 = next(
        c
        for c in clocks
        if c.tier == Tier.L3 and c.target_minutes == 60 and c.kind == ClockKind.RESPONSE
    )
    assert l3_p1.due_at == berlin(2026, 3, 2, 11, 0)


def insert_plain(alice, count):
    return Ticket.objects.bulk_create(
        Ticket(subject=f"s{i}", description="d", requester=alice, organisation=alice.organisation)
        for i in range(count)
    )


def test_bulk_hook_query_count_does_not_grow_with_tickets(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    clocks_start_for_new_tickets(tickets=insert_plain(alice, 3))  # warm the calendar cache
    with CaptureQueriesContext(connection) as few:
        clocks_start_for_new_tickets(tickets=insert_plain(alice, 5))
    with CaptureQueriesContext(connection) as many:
        clocks_start_for_new_tickets(tickets=insert_plain(alice, 300))
    assert len(many) <= len(few) <= 12
    assert Clock.objects.count() == 2 * 308


@pytest.fixture
def sla_receivers_only():
    """Pin the SLA engine's own queries: other layers (notifications) listen to the same
    ticket signals and have their own query budgets and tests."""
    saved = {}
    for name in dir(ticket_signals):
        signal = getattr(ticket_signals, name)
        if isinstance(signal, Signal):
            saved[signal] = signal.receivers[:]
            signal.receivers = [r for r in saved[signal] if _module(r).startswith("sla.")]
            signal.sender_receivers_cache.clear()
    yield
    for signal, receivers in saved.items():
        signal.receivers = receivers
        signal.sender_receivers_cache.clear()


def _module(entry) -> str:
    target = entry[1]
    if isinstance(target, weakref.ReferenceType):
        target = target()
    return getattr(target, "__module__", "") or ""


def test_whole_stack_status_change_does_not_grow_with_history(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    fresh = ticket_create(requester=alice, subject="s", description="d")
    old = ticket_create(requester=alice, subject="old", description="d")
    for tier in (Tier.L2, Tier.L1, Tier.L2, Tier.L1):
        old = ticket_move_tier(ticket=old, actor=None, tier=tier, reason="test")
    for status in (Status.PENDING_CUSTOMER, Status.OPEN) * 3:
        ticket_change_status(ticket=old, actor=l1tech, status=status)
    counts = []
    for ticket in (fresh, old):
        with CaptureQueriesContext(connection) as captured:
            ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
            ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_create_and_status_changes_use_a_constant_number_of_queries(
    alice, l1tech, standard, at, django_assert_num_queries, sla_receivers_only
):
    at(berlin(2026, 3, 2, 10, 0))
    ticket_create(requester=alice, subject="warm", description="cache")
    # savepoint, ticket, created event; agreement; clocks; clock events; columns; release.
    with django_assert_num_queries(8):
        fresh = ticket_create(requester=alice, subject="s", description="d")
    # Give another ticket a long history: tier moves and pauses add clocks and ledger rows.
    old = ticket_create(requester=alice, subject="old", description="d")
    for tier in (Tier.L2, Tier.L1, Tier.L2, Tier.L1):
        old = ticket_move_tier(ticket=old, actor=None, tier=tier, reason="test")
    for status in (Status.PENDING_CUSTOMER, Status.OPEN) * 3:
        ticket_change_status(ticket=old, actor=l1tech, status=status)
    assert old.clocks.count() == 6
    for ticket in (fresh, old):
        # pause: savepoint, lock, event, clocks (locked), ledger, clock update, clock events,
        # the ticket row (status and SLA columns in one UPDATE; 10 with two), release
        with django_assert_num_queries(9):
            ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
        # resume: as above, the ledger rows of the running clocks closed in one query
        with django_assert_num_queries(9):
            ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    with django_assert_num_queries(8):  # 9 when the SLA columns were an UPDATE of their own
        ticket_change_status(ticket=fresh, actor=l1tech, status=Status.RESOLVED)


def test_vip_creation_is_constant_too(
    victor, standard, at, django_assert_num_queries, sla_receivers_only
):
    standard.vip_route_to_l2 = True
    standard.save()
    at(berlin(2026, 3, 2, 10, 0))
    ticket_create(requester=victor, subject="warm", description="cache", priority=Priority.P2)
    # Routed before it is filed: creation's 8 plus the routing's agreement lookup (it was 19
    # when the ticket was filed at L1 and then moved).
    with django_assert_num_queries(9):
        ticket = ticket_create(requester=victor, subject="s", description="d")
    assert ticket.tier == Tier.L2
