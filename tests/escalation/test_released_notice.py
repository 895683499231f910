"""A move that takes a ticket away from its assignee tells them, on every path."""

import pytest

from accounts.models import Tier
from escalation.models import Notification, NotificationKind
from escalation.services.sweep import escalation_sweep
from tickets.services import ticket_assign, ticket_create, ticket_move_tier

from .conftest import minutes

pytestmark = pytest.mark.django_db


def _released_to(user):
    return Notification.objects.filter(recipient=user, kind=NotificationKind.RELEASED)


def test_sweep_moving_assigned_tickets_tells_the_assignee(alice, agreement, staff, clock_at):
    clock_at()
    tickets = [
        ticket_create(requester=alice, subject=f"Disk full {n}", description="d") for n in range(3)
    ]
    for ticket in tickets:
        ticket_assign(ticket=ticket, actor=staff["l1"], assignee=staff["l1"])
    clock_at(minutes(61))  # past the L1 response target: the default rule moves to L2
    escalation_sweep(queue=False)
    rows = _released_to(staff["l1"]).order_by("ticket_id")
    assert [row.ticket_id for row in rows] == [t.pk for t in tickets]
    assert "now with Level 2" in rows[0].body and "still read it" in rows[0].body
    assert rows[0].subject.startswith(f"[{tickets[0].reference}] No longer assigned to you")


def test_manager_move_tells_the_released_assignee_not_the_mover(alice, agreement, staff):
    ticket = ticket_create(requester=alice, subject="Printer", description="d")
    ticket_assign(ticket=ticket, actor=staff["l1"], assignee=staff["l1"])
    ticket_move_tier(ticket=ticket, actor=staff["manager"], tier=Tier.L2, reason="Moved.")
    assert _released_to(staff["l1"]).count() == 1
    # Giving a ticket away yourself (escalating it) needs no notice.
    other = ticket_create(requester=alice, subject="Mine", description="d")
    ticket_assign(ticket=other, actor=staff["l1"], assignee=staff["l1"])
    ticket_move_tier(ticket=other, actor=staff["l1"], tier=Tier.L2, reason="Escalated.")
    assert _released_to(staff["l1"]).count() == 1
