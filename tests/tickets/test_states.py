"""Every legal and illegal status move, for staff and customers."""

from datetime import timedelta
from itertools import product

import pytest
import time_machine
from django.utils import timezone

from common.errors import Conflict
from tests.factories import TicketFactory
from tickets.models import EventKind, Status, TicketEvent
from tickets.services import ticket_change_status
from tickets.states import TRANSITIONS

ALL_MOVES = list(product(Status.values, Status.values))


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALL_MOVES)
def test_staff_moves_follow_the_table(source, target, alice, l1tech):
    ticket = TicketFactory(requester=alice, status=source, resolved_at=timezone.now())
    legal = (source, target) in TRANSITIONS and TRANSITIONS[(source, target)].staff
    if legal:
        ticket_change_status(ticket=ticket, actor=l1tech, status=target)
        ticket.refresh_from_db()
        assert ticket.status == target
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS)
        assert (event.before, event.after) == ({"status": source}, {"status": target})
    else:
        with pytest.raises(Conflict):
            ticket_change_status(ticket=ticket, actor=l1tech, status=target)
        ticket.refresh_from_db()
        assert ticket.status == source
        assert not TicketEvent.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "target"), ALL_MOVES)
def test_customer_moves_follow_the_table(source, target, alice):
    ticket = TicketFactory(requester=alice, status=source, resolved_at=timezone.now())
    legal = (source, target) in TRANSITIONS and TRANSITIONS[(source, target)].customer
    if legal:
        ticket_change_status(ticket=ticket, actor=alice, status=target)
        ticket.refresh_from_db()
        assert ticket.status == target
    else:
        with pytest.raises(Conflict):
            ticket_change_status(ticket=ticket, actor=alice, status=target)
        ticket.refresh_from_db()
        assert ticket.status == source


@pytest.mark.django_db
def test_customer_may_not_put_on_hold(alice):
    ticket = TicketFactory(requester=alice, status=Status.OPEN)
    with pytest.raises(Conflict, match="support team"):
        ticket_change_status(ticket=ticket, actor=alice, status=Status.ON_HOLD)


@pytest.mark.django_db
def test_reopen_window(alice, settings):
    settings.TIERDESK_REOPEN_DAYS = 7
    resolved = timezone.now()
    early = TicketFactory(requester=alice, status=Status.RESOLVED, resolved_at=resolved)
    late = TicketFactory(requester=alice, status=Status.RESOLVED, resolved_at=resolved)
    with time_machine.travel(resolved + timedelta(days=6, hours=23)):
        ticket_change_status(ticket=early, actor=alice, status=Status.OPEN)
    with time_machine.travel(resolved + timedelta(days=7, minutes=1)):
        with pytest.raises(Conflict, match="within 7 days"):
            ticket_change_status(ticket=late, actor=alice, status=Status.OPEN)
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, early.resolved_at) == (Status.OPEN, None)
    assert late.status == Status.RESOLVED


@pytest.mark.django_db
def test_other_customer_cannot_close(alice, bob):
    ticket = TicketFactory(requester=alice, status=Status.OPEN)
    with pytest.raises(Conflict):
        ticket_change_status(ticket=ticket, actor=bob, status=Status.CLOSED)


@pytest.mark.django_db
def test_unknown_status_is_a_field_error(alice, l1tech):
    ticket = TicketFactory(requester=alice)
    with pytest.raises(Exception) as caught:
        ticket_change_status(ticket=ticket, actor=l1tech, status="deleted")
    assert caught.value.fields == {"status": ["Unknown status “deleted”."]}
