"""Moving many tickets at once does to each ticket's clocks exactly what moving one does."""

import pytest

from accounts.models import Tier
from sla.models import Clock, ClockPause
from sla.services.sync import COLUMNS
from tickets.models import EventKind, Status, TicketEvent
from tickets.services import (
    TierMove,
    ticket_change_status,
    ticket_create,
    ticket_move_tier,
    tickets_move_tier,
)

from .conftest import berlin

pytestmark = pytest.mark.django_db

FIELDS = (
    "kind", "tier", "cycle", "agreement_id", "target_minutes", "started_at", "due_at",
    "warn_at", "met_at", "breached_at", "paused_at", "paused_seconds", "stopped_at",
)  # fmt: skip


def clock_rows(ticket):
    return [
        tuple(getattr(c, f) for f in FIELDS) + (c.pauses.count(),)
        for c in Clock.objects.filter(ticket=ticket).order_by("kind", "tier", "cycle")
    ]


def started_event(ticket):
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_STARTED).last()
    facts = dict(event.after)
    clocks = Clock.objects.filter(ticket=ticket)
    facts["clock"] = clocks.get(pk=facts["clock"]).tier
    facts["replaces"] = [clocks.get(pk=pk).tier for pk in facts["replaces"]]
    return facts


@pytest.mark.parametrize("status", [Status.NEW, Status.PENDING_CUSTOMER])
def test_moving_many_tickets_matches_moving_one(alice, l1tech, standard, at, status):
    at(berlin(2026, 3, 2, 9))
    one, two, three = (
        ticket_create(requester=alice, subject=f"VPN {n}", description="Down.") for n in range(3)
    )
    if status != Status.NEW:
        at(berlin(2026, 3, 2, 9, 20))
        for ticket in (one, two, three):
            ticket_change_status(ticket=ticket, actor=l1tech, status=status)
    at(berlin(2026, 3, 2, 11, 30))
    ticket_move_tier(ticket=one, actor=None, tier=Tier.L2, reason="test")
    moved = tickets_move_tier(
        moves=[TierMove(t, Tier.L2, "test") for t in (two, three)], actor=None
    )
    assert [t.tier for t in moved] == [Tier.L2, Tier.L2]
    one.refresh_from_db()
    for ticket in (two, three):
        ticket.refresh_from_db()
        assert clock_rows(ticket) == clock_rows(one)
        assert started_event(ticket) == started_event(one)
        assert [getattr(ticket, c) for c in COLUMNS] == [getattr(one, c) for c in COLUMNS]
    assert ClockPause.objects.filter(clock__ticket=two).count() == (
        ClockPause.objects.filter(clock__ticket=one).count()
    )
