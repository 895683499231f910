"""Manual escalation with a hand-off note, de-escalation, and the selectors the UI pins."""

import pytest

from accounts.models import Tier
from common.errors import ApplicationError, Conflict, NotAllowed
from escalation.models import Escalation, EscalationKind, Notification, NotificationKind
from escalation.selectors import latest_handoff, ticket_escalations
from escalation.services.manual import ticket_deescalate, ticket_escalate
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_assign, ticket_create

from .helpers import notified, response_clock

pytestmark = pytest.mark.django_db

NOTE = "Checked VPN logs, reinstalled client; customer says it fails on Wi-Fi only. Try radius."


@pytest.fixture
def ticket(alice, agreement, staff, clock_at):
    clock_at()
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.")


@pytest.mark.parametrize("note", ["", "   ", "too short"])
def test_escalate_without_a_real_note_changes_nothing(ticket, l1tech, note):
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=note)
    assert refused.value.status_code == 400
    assert "handoff_note" in refused.value.fields
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    assert not Escalation.objects.exists()


def test_escalate_moves_up_starts_clock_and_pins_note(ticket, l1tech, l2tech):
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    record = ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (Tier.L2, None)  # L1 cannot follow
    assert (record.kind, record.from_tier, record.to_tier, record.actor, record.clock) == (
        EscalationKind.MANUAL,
        Tier.L1,
        Tier.L2,
        l1tech,
        None,
    )
    assert response_clock(ticket, Tier.L2).is_running
    assert response_clock(ticket, Tier.L1).stopped_at is not None
    assert latest_handoff(ticket=ticket) == record
    assert latest_handoff(ticket=ticket).note == NOTE
    # The L2 group hears about it; the note stays on the ticket page only.
    assert ("l2tech", NotificationKind.NEW_IN_QUEUE) in notified(ticket)
    assert not Notification.objects.filter(body__contains="radius").exists()
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert event.internal and "radius" not in str(event.after)


def test_l3_cannot_go_higher_and_customers_cannot_escalate(ticket, alice, l2tech, l3tech):
    with pytest.raises(NotAllowed):
        ticket_escalate(ticket=ticket, actor=alice, handoff_note=NOTE)
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=NOTE)
    ticket_escalate(ticket=ticket, actor=l3tech, handoff_note=NOTE)
    with pytest.raises(Conflict) as refused:
        ticket_escalate(ticket=ticket, actor=l3tech, handoff_note=NOTE)
    assert refused.value.code == "top_tier"


def test_l1_technician_cannot_escalate_a_ticket_above_them(ticket, l1tech, l2tech):
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=NOTE)
    with pytest.raises(NotAllowed):
        ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)


def test_manager_moves_to_any_tier_with_reason(ticket, manager):
    with pytest.raises(ApplicationError) as refused:
        ticket_deescalate(ticket=ticket, actor=manager, tier=Tier.L3, reason="")
    assert "reason" in refused.value.fields
    up = ticket_deescalate(
        ticket=ticket, actor=manager, tier=Tier.L3, reason="Known L3 bug, skip L2."
    )
    assert (up.kind, up.to_tier) == (EscalationKind.MANUAL, Tier.L3)
    down = ticket_deescalate(
        ticket=ticket, actor=manager, tier=Tier.L1, reason="Fix is documented."
    )
    assert (down.kind, down.from_tier, down.to_tier) == (
        EscalationKind.DEESCALATION,
        Tier.L3,
        Tier.L1,
    )
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    assert response_clock(ticket, Tier.L1).cycle == 2  # re-entered tier: a new clock
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.DEESCALATED).count() == 1
    # Customers see tier events; the manager's reasons are not in them.
    public = TicketEvent.objects.filter(ticket=ticket, internal=False)
    assert not [e for e in public if "documented" in str(e.after) or "L3 bug" in str(e.after)]
    assert latest_handoff(ticket=ticket) == down


def test_technicians_only_send_down(ticket, l1tech, l2tech):
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    with pytest.raises(NotAllowed):
        ticket_deescalate(ticket=ticket, actor=l2tech, tier=Tier.L3, reason="Please take it, L3.")
    with pytest.raises(NotAllowed):
        ticket_deescalate(ticket=ticket, actor=l1tech, tier=Tier.L1, reason="Give it back to me")
    ticket_deescalate(ticket=ticket, actor=l2tech, tier=Tier.L1, reason="Password reset only.")
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1


def test_escalation_list_query_count_is_flat(
    ticket, l2tech, l3tech, manager, django_assert_num_queries
):
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=NOTE)
    ticket_escalate(ticket=ticket, actor=l3tech, handoff_note=NOTE)
    ticket_deescalate(ticket=ticket, actor=manager, tier=Tier.L1, reason="Back to the start.")
    with django_assert_num_queries(1):
        rows = [
            (e.kind, e.actor.username if e.actor else None)
            for e in ticket_escalations(ticket=ticket)
        ]
    assert rows == [
        (EscalationKind.DEESCALATION, "manager"),
        (EscalationKind.MANUAL, "l3tech"),
        (EscalationKind.MANUAL, "l2tech"),
    ]
    with django_assert_num_queries(1):
        assert latest_handoff(ticket=ticket).actor.username == "manager"
