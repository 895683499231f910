"""sla_status (ok/warning/breached/paused/met) follows the engine, in memory and in SQL."""

import pytest

from sla.models import Clock, ClockKind
from sla.selectors import (
    SlaStatus,
    annotate_sla,
    order_by_urgency,
    sla_status_condition,
    ticket_sla_status,
)
from sla.services.marking import clock_mark_breached, clock_mark_warned
from tickets.models import Status, Ticket
from tickets.services import ticket_acknowledge, ticket_change_status, ticket_create

from .conftest import berlin

pytestmark = pytest.mark.django_db


def status_everywhere(ticket, now):
    """The in-memory rule, the annotation and the filter must give one answer."""
    ticket.refresh_from_db()
    in_memory = ticket_sla_status(ticket, now=now)
    annotated = annotate_sla(Ticket.objects.filter(pk=ticket.pk), now=now).get().sla_status
    filtered = [
        s
        for s in SlaStatus.ALL
        if Ticket.objects.filter(sla_status_condition(s, now=now), pk=ticket.pk).exists()
    ]
    assert filtered == [in_memory] and annotated == in_memory
    return in_memory


def test_status_walks_through_every_value(alice, l1tech, standard, at):
    start = berlin(2026, 3, 2, 10, 0)
    at(start)
    ticket = ticket_create(requester=alice, subject="s", description="d")
    assert status_everywhere(ticket, start) == SlaStatus.OK
    at(berlin(2026, 3, 2, 10, 50))  # warn_at 10:48
    response = Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE)
    assert clock_mark_warned(clock_id=response.pk) is not None
    assert status_everywhere(ticket, berlin(2026, 3, 2, 10, 50)) == SlaStatus.WARNING
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    assert status_everywhere(ticket, berlin(2026, 3, 2, 10, 50)) == SlaStatus.PAUSED
    at(berlin(2026, 3, 2, 12, 0))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    response.refresh_from_db()
    assert response.due_at == berlin(2026, 3, 2, 12, 10)
    assert status_everywhere(ticket, berlin(2026, 3, 2, 12, 0)) == SlaStatus.WARNING
    at(berlin(2026, 3, 2, 12, 15))
    assert clock_mark_breached(clock_id=response.pk) is not None
    assert status_everywhere(ticket, berlin(2026, 3, 2, 12, 15)) == SlaStatus.BREACHED
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    assert status_everywhere(ticket, berlin(2026, 3, 2, 12, 15)) == SlaStatus.MET


def test_met_response_leaves_resolution_ok_and_urgency_order(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    calm = ticket_create(requester=alice, subject="calm", description="d", priority="P4")
    urgent = ticket_create(requester=alice, subject="urgent", description="d", priority="P2")
    answered = ticket_create(requester=alice, subject="answered", description="d")
    ticket_acknowledge(ticket=answered, actor=l1tech, message="Looking into it.")
    now = berlin(2026, 3, 2, 10, 1)
    assert status_everywhere(answered, now) == SlaStatus.OK
    answered.refresh_from_db()
    assert answered.response_due_at is None and answered.resolution_due_at is not None
    ordered = list(order_by_urgency(annotate_sla(Ticket.objects.all(), now=now)))
    assert ordered == [urgent, calm, answered]
