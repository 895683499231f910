"""Ticket services: creation, replies and notes, assignment, events and rollback."""

import pytest
from django.db import transaction

from accounts.models import Tier
from common.errors import ApplicationError, Conflict, NotAllowed
from tickets import signals
from tickets.models import EventKind, Priority, Reply, Status, Ticket, TicketEvent
from tickets.selectors import ticket_events, ticket_replies
from tickets.services import (
    ticket_acknowledge,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
    ticket_move_tier,
    ticket_rate,
    ticket_reply,
)


def kinds(ticket):
    """The ticket's own history, without the SLA engine's clock events."""
    every = TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)
    return [kind for kind in every if not kind.startswith("clock_")]


@pytest.mark.django_db
def test_create_records_event_and_reference(alice):
    ticket = ticket_create(requester=alice, subject=" VPN down ", description="Since 9.")
    assert ticket.subject == "VPN down"
    assert ticket.reference == f"HD-{ticket.pk:06d}"
    assert ticket.organisation == alice.organisation
    assert (ticket.status, ticket.tier, ticket.priority) == (Status.NEW, Tier.L1, Priority.P3)
    assert kinds(ticket) == [EventKind.CREATED]
    assert Ticket.objects.by_reference(ticket.reference).get() == ticket


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", ""), ("subject", "x" * 201), ("description", "  "), ("subject", "a\x00b")],
)
def test_create_rejects_bad_text_and_writes_nothing(alice, field, value):
    data = {"subject": "Printer", "description": "Jams."} | {field: value}
    with pytest.raises(ApplicationError) as caught:
        ticket_create(requester=alice, **data)
    assert field in caught.value.fields
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_customer_cannot_pick_p1_but_staff_can(alice, l1tech):
    with pytest.raises(ApplicationError) as caught:
        ticket_create(requester=alice, subject="s", description="d", priority=Priority.P1)
    assert "priority" in caught.value.fields
    ticket = ticket_create(
        requester=alice, actor=l1tech, subject="s", description="d", priority=Priority.P1
    )
    assert ticket.priority == Priority.P1


@pytest.mark.django_db
def test_customer_cannot_file_for_someone_else(alice, bob):
    with pytest.raises(NotAllowed):
        ticket_create(requester=bob, actor=alice, subject="s", description="d")


@pytest.mark.django_db
def test_internal_notes_are_staff_only(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_reply(ticket=ticket, author=l1tech, body="Public answer")
    ticket_reply(ticket=ticket, author=l1tech, body="Secret: user is clueless", internal=True)
    with pytest.raises(NotAllowed):
        ticket_reply(ticket=ticket, author=alice, body="sneaky", internal=True)
    customer_view = [r.body for r in ticket_replies(ticket=ticket, user=alice)]
    staff_view = [r.body for r in ticket_replies(ticket=ticket, user=l1tech)]
    assert customer_view == ["Public answer"]
    assert staff_view == ["Public answer", "Secret: user is clueless"]
    customer_events = list(ticket_events(ticket=ticket, user=alice).values_list("kind", flat=True))
    assert EventKind.NOTE not in customer_events
    assert EventKind.NOTE in ticket_events(ticket=ticket, user=l1tech).values_list(
        "kind", flat=True
    )


@pytest.mark.django_db
def test_staff_reply_opens_new_ticket_and_customer_reply_reopens_pending(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_reply(ticket=ticket, author=l1tech, body="Looking")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    ticket_reply(ticket=ticket, author=alice, body="Here is the info")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert kinds(ticket).count(EventKind.STATUS) == 3


@pytest.mark.django_db
def test_internal_note_does_not_change_status_or_first_response(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_reply(ticket=ticket, author=l1tech, body="note", internal=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (Status.NEW, None)


@pytest.mark.django_db
def test_closed_ticket_takes_no_reply(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.CLOSED)
    with pytest.raises(Conflict):
        ticket_reply(ticket=ticket, author=alice, body="hello?")
    assert not Reply.objects.exists()


@pytest.mark.django_db
def test_assign_rules(alice, bob, l1tech, l2tech, l3tech, manager):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (l1tech, Status.OPEN)
    with pytest.raises(NotAllowed):
        ticket_assign(ticket=ticket, actor=alice, assignee=l1tech)
    with pytest.raises(ApplicationError):
        ticket_assign(ticket=ticket, actor=manager, assignee=bob)
    with pytest.raises(NotAllowed):
        ticket_assign(ticket=ticket, actor=l1tech, assignee=l2tech)
    ticket_assign(ticket=ticket, actor=manager, assignee=l3tech)
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).last()
    assert event.before["assignee"]["username"] == "l1tech"
    assert event.after["assignee"]["username"] == "l3tech"
    assert event.internal


@pytest.mark.django_db
def test_move_tier_releases_assignee_who_cannot_follow(alice, l1tech, manager):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    ticket_move_tier(ticket=ticket, actor=manager, tier=Tier.L2, reason="needs L2")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (Tier.L2, None)
    tier_event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TIER)
    assert tier_event.after == {"tier": "L2", "reason": "needs L2"}


@pytest.mark.django_db
def test_priority_change_and_acknowledge(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_change_priority(ticket=ticket, actor=l1tech, priority=Priority.P1)
    with pytest.raises(NotAllowed):
        ticket_change_priority(ticket=ticket, actor=alice, priority=Priority.P4)
    ticket_acknowledge(ticket=ticket, actor=l1tech)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == (Priority.P1, Status.OPEN)
    assert EventKind.ACKNOWLEDGED in kinds(ticket)


@pytest.mark.django_db
def test_rating_once_after_resolution(alice, bob, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    with pytest.raises(Conflict):
        ticket_rate(ticket=ticket, actor=alice, rating=5)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    with pytest.raises(ApplicationError):
        ticket_rate(ticket=ticket, actor=alice, rating=6)
    with pytest.raises(NotAllowed):
        ticket_rate(ticket=ticket, actor=bob, rating=1)
    ticket_rate(ticket=ticket, actor=alice, rating=4, comment="quick")
    with pytest.raises(Conflict):
        ticket_rate(ticket=ticket, actor=alice, rating=1)
    ticket.refresh_from_db()
    assert (ticket.satisfaction_rating, ticket.satisfaction_comment) == (4, "quick")


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_rolls_back_change_and_event(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="s", description="d")

    def explode(**kwargs):
        raise RuntimeError("listener failed")

    signals.tickets_status_changed.connect(explode, dispatch_uid="explode")
    try:
        with pytest.raises(RuntimeError):
            ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    finally:
        signals.tickets_status_changed.disconnect(dispatch_uid="explode")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert kinds(ticket) == [EventKind.CREATED]


@pytest.mark.django_db
def test_events_are_append_only(alice):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)
    event.kind = EventKind.STATUS
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(ticket=ticket).update(kind="status")
    with pytest.raises(TypeError):
        event.delete()
    with transaction.atomic():
        assert TicketEvent.objects.get(pk=event.pk).kind == EventKind.CREATED
