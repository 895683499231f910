"""Each default rule fires once, at its moment and not a minute early; a reply in time wins."""

import pytest

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind, EscalationRule, NotificationKind
from escalation.services.sweep import escalation_sweep
from sla.models import Clock
from tickets.models import EventKind, Priority, TicketEvent
from tickets.services import ticket_assign, ticket_create, ticket_reply

from .conftest import RESOLUTION_MINUTES, RESPONSE_MINUTES, WARNING_PERCENT, minutes
from .helpers import escalations, notified, resolution_clock, response_clock

pytestmark = pytest.mark.django_db

L1, L2, L3 = (RESPONSE_MINUTES[t] for t in (Tier.L1, Tier.L2, Tier.L3))


@pytest.fixture
def ticket(alice, agreement, staff, clock_at):
    clock_at()
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.")


def sweep_at(clock_at, offset):
    clock_at(offset)
    return escalation_sweep()


def test_breach_chain_l1_l2_l3_then_priority(ticket, clock_at):
    # L1 response breach: not a minute early, then to L2, L2 group and manager told.
    early = sweep_at(clock_at, minutes(L1 - 1))
    assert (early.breaches, early.escalations) == (0, 0)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1

    result = sweep_at(clock_at, minutes(L1))
    assert (result.breaches, result.escalations, result.notifications) == (1, 1, 2)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    l1_clock = response_clock(ticket, Tier.L1)
    assert l1_clock.breached_at is not None
    assert notified(ticket, f"clock:{l1_clock.pk}:breach") == {
        ("l2tech", NotificationKind.ESCALATED),
        ("manager", NotificationKind.SLA_BREACH),
    }
    # The move started L2's response clock (SLA receiver), due L2 minutes later.
    l2_clock = response_clock(ticket, Tier.L2)
    assert l2_clock.is_running
    assert l2_clock.due_at == l1_clock.due_at + minutes(L2)

    # A second sweep at the same instant finds nothing.
    again = escalation_sweep()
    assert (again.breaches, again.escalations, again.notifications) == (0, 0, 0)

    # L2 response breach: to L3, manager told (L3 group hears through its queue notice).
    assert sweep_at(clock_at, minutes(L1 + L2 - 1)).breaches == 0
    result = sweep_at(clock_at, minutes(L1 + L2))
    assert (result.breaches, result.escalations) == (1, 1)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L3
    assert notified(ticket, f"clock:{l2_clock.pk}:breach") == {
        ("manager", NotificationKind.SLA_BREACH)
    }
    assert ("l3tech", NotificationKind.NEW_IN_QUEUE) in notified(ticket, "queue-L3")

    # L3 response breach: stays at L3, priority raised one step, manager told.
    l3_clock = response_clock(ticket, Tier.L3)
    assert sweep_at(clock_at, minutes(L1 + L2 + L3 - 1)).breaches == 0
    result = sweep_at(clock_at, minutes(L1 + L2 + L3))
    assert (result.breaches, result.escalations) == (1, 0)
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.priority) == (Tier.L3, Priority.P2)
    assert notified(ticket, f"clock:{l3_clock.pk}:breach") == {
        ("manager", NotificationKind.SLA_BREACH)
    }
    assert [e for e in escalations(ticket) if e[0] == EscalationKind.BREACH] == [
        (EscalationKind.BREACH, Tier.L1, Tier.L2),
        (EscalationKind.BREACH, Tier.L2, Tier.L3),
        (EscalationKind.BREACH, Tier.L3, Tier.L3),
    ]
    # One ESCALATED event per breach record (warnings show as CLOCK_WARNED), all internal.
    escalated = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ESCALATED)
    assert escalated.count() == 3
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_WARNED).count() >= 1
    assert not escalated.filter(internal=False).exists()


def test_resolution_breach_tells_manager_once(ticket, clock_at, l1tech):
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    ticket_reply(ticket=ticket, author=l1tech, body="Looking into it.")  # meets the response
    clock = resolution_clock(ticket)
    assert sweep_at(clock_at, minutes(RESOLUTION_MINUTES - 1)).breaches == 0
    result = sweep_at(clock_at, minutes(RESOLUTION_MINUTES))
    assert result.breaches == 1
    assert notified(ticket, f"clock:{clock.pk}:breach") == {
        ("manager", NotificationKind.SLA_BREACH)
    }
    assert escalation_sweep().breaches == 0
    assert Escalation.objects.filter(clock=clock, kind=EscalationKind.BREACH).count() == 1
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.priority) == (Tier.L1, Priority.P3)


def test_response_warning_tells_tier_group_while_unassigned(ticket, clock_at):
    warn = L1 * WARNING_PERCENT / 100
    assert sweep_at(clock_at, minutes(warn) - minutes(1)).warnings == 0
    result = sweep_at(clock_at, minutes(warn))
    assert (result.warnings, result.breaches, result.escalations) == (1, 0, 0)
    clock = response_clock(ticket, Tier.L1)
    assert notified(ticket, f"clock:{clock.pk}:warning") == {
        ("l1tech", NotificationKind.SLA_WARNING)
    }
    assert escalation_sweep().warnings == 0
    record = Escalation.objects.get(clock=clock)
    assert (record.kind, record.from_tier, record.to_tier) == (
        EscalationKind.WARNING,
        Tier.L1,
        Tier.L1,
    )


def test_warnings_tell_the_assignee_only(ticket, clock_at, l1tech):
    from tests.factories import TechnicianFactory

    TechnicianFactory(username="l1other", tier=Tier.L1)
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    result = sweep_at(clock_at, minutes(L1 * WARNING_PERCENT / 100))
    assert result.warnings == 1
    clock = response_clock(ticket, Tier.L1)
    assert notified(ticket, f"clock:{clock.pk}:warning") == {
        ("l1tech", NotificationKind.SLA_WARNING)
    }
    # Resolution warning: the assignee again, at 80 % of the resolution target.
    ticket_reply(ticket=ticket, author=l1tech, body="Please try the new client.")
    result = sweep_at(clock_at, minutes(RESOLUTION_MINUTES * WARNING_PERCENT / 100))
    resolution = resolution_clock(ticket)
    assert notified(ticket, f"clock:{resolution.pk}:warning") == {
        ("l1tech", NotificationKind.SLA_WARNING)
    }


def test_public_reply_just_before_deadline_prevents_escalation(ticket, clock_at, l1tech):
    clock_at(minutes(L1) - minutes(1) / 60)  # one second before the deadline
    ticket_reply(ticket=ticket, author=l1tech, body="We are on it, please restart the client.")
    result = sweep_at(clock_at, minutes(L1 + 5))
    assert (result.breaches, result.escalations) == (0, 0)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    assert response_clock(ticket, Tier.L1).met_at is not None
    assert not Escalation.objects.filter(kind=EscalationKind.BREACH).exists()


def test_internal_note_does_not_meet_the_clock(ticket, clock_at, l1tech):
    clock_at(minutes(L1 - 1))
    ticket_reply(ticket=ticket, author=l1tech, body="Customer sounds upset.", internal=True)
    assert sweep_at(clock_at, minutes(L1)).escalations == 1


def test_inactive_rule_and_filters_are_respected(ticket, clock_at):
    EscalationRule.objects.filter(trigger="response_breach", tier=Tier.L1).update(active=False)
    result = sweep_at(clock_at, minutes(L1))
    # The clock is still marked breached (SLA fact) but nothing escalates.
    assert (result.breaches, result.escalations, result.notifications) == (1, 0, 0)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    assert not Escalation.objects.exists()


def test_priority_filter_and_assign_action(ticket, clock_at, l2tech):
    EscalationRule.objects.create(
        name="P3 at L1: give it to the L2 lead",
        trigger="response_breach",
        tier=Tier.L1,
        priority=Priority.P3,
        assign_to=l2tech,
        order=5,
    )
    EscalationRule.objects.create(
        name="P1 only: never matches here",
        trigger="response_breach",
        priority=Priority.P1,
        raise_priority=True,
    )
    sweep_at(clock_at, minutes(L1))
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee, ticket.priority) == (Tier.L2, l2tech, Priority.P3)


def test_paused_clock_is_not_swept(ticket, clock_at, l1tech):
    from tickets.services import ticket_change_status

    clock_at(minutes(10))
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    result = sweep_at(clock_at, minutes(L1 * 3))
    assert result.breaches == 0
    assert not Clock.objects.filter(breached_at__isnull=False).exists()
