"""Merging duplicates and linking tickets."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from common.errors import ApplicationError, Conflict, NotAllowed
from desk.selectors import ticket_links
from desk.services.links import ticket_link, ticket_merge, ticket_unlink
from desk.services.watchers import watcher_add
from escalation.models import Notification
from escalation.services.sweep import escalation_sweep
from sla.models import Clock
from tests.factories import UserFactory
from tickets.models import Status, Ticket, TicketEvent, Watcher
from tickets.services import ticket_add_attachments, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(alice, bob, make_ticket, l1tech, png_file):
    original = make_ticket(alice, "VPN down")
    duplicate = make_ticket(bob, "VPN not working")
    ticket_reply(ticket=duplicate, author=bob, body="Since 8:00.")
    ticket_add_attachments(ticket=duplicate, uploader=bob, files=[png_file()])
    return original, duplicate


def test_merge_moves_conversation_watchers_and_tells_requester(pair, alice, bob, l1tech):
    original, duplicate = pair
    carol = UserFactory(username="carol", organisation=alice.organisation)
    watcher_add(ticket=duplicate, actor=bob, user=carol)
    Notification.objects.all().delete()
    ticket_merge(duplicate=duplicate, original=original, actor=l1tech)

    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert original.replies.get().body == "Since 8:00."
    assert original.attachments.count() == 1 and not duplicate.attachments.exists()
    assert set(
        Watcher.objects.filter(ticket=original).values_list("user__username", flat=True)
    ) == {
        "bob",
        "carol",
    }
    # Both record the merge; bob follows the original and was told where to look.
    assert (
        TicketEvent.objects.get(ticket=duplicate, kind="merged").after["into"] == original.reference
    )
    assert (
        TicketEvent.objects.get(ticket=original, kind="merged").after["from"] == duplicate.reference
    )
    assert Ticket.objects.visible_to(bob).filter(pk=original.pk).exists()
    told = Notification.objects.filter(recipient=bob, cause_key__startswith="merged:").get()
    assert original.reference in told.body
    kinds = {v.kind for v in ticket_links(ticket=original, user=l1tech)}
    assert kinds == {"duplicated_by"}
    assert {v.kind for v in ticket_links(ticket=duplicate, user=l1tech)} == {"duplicate_of"}


def test_the_duplicates_people_get_one_mail_each_for_the_merge(pair, alice, bob, l1tech):
    """The merge notice says the ticket was closed as a duplicate: no second status mail."""
    original, duplicate = pair
    carol = UserFactory(username="carol", organisation=alice.organisation)
    watcher_add(ticket=duplicate, actor=bob, user=carol)
    Notification.objects.all().delete()
    ticket_merge(duplicate=duplicate, original=original, actor=l1tech)
    told = Notification.objects.filter(ticket=duplicate).order_by("recipient__username")
    assert [(n.recipient.username, n.cause_key.split(":")[0]) for n in told] == [
        ("bob", "merged"),
        ("carol", "merged"),
    ]


def test_merged_duplicate_clocks_stop_without_breach(pair, l1tech):
    original, duplicate = pair
    later = timezone.now() + timedelta(days=30)  # every clock of the duplicate is overdue
    with time_machine.travel(later, tick=False):
        ticket_merge(duplicate=duplicate, original=original, actor=l1tech)
        clocks = Clock.objects.filter(ticket=duplicate)
        assert clocks.exists()
        assert all(c.stopped_at and c.breached_at is None and c.met_at is None for c in clocks)
        duplicate.refresh_from_db()
        assert not duplicate.sla_breached and duplicate.response_due_at is None
        escalation_sweep()
    assert not Clock.objects.filter(ticket=duplicate, breached_at__isnull=False).exists()
    # Response, resolution and the next response owed for bob's reply.
    assert TicketEvent.objects.filter(ticket=duplicate, kind="clock_stopped").count() == 3
    assert not TicketEvent.objects.filter(ticket=duplicate, kind="clock_breached").exists()
    # The original's clocks are untouched and do breach.
    assert Clock.objects.filter(ticket=original, breached_at__isnull=False).exists()


def test_merge_across_organisations_refused(alice, gina, l1tech, make_ticket):
    original = make_ticket(alice)
    duplicate = make_ticket(gina)
    with pytest.raises(ApplicationError) as refused:
        ticket_merge(duplicate=duplicate, original=original, actor=l1tech)
    assert refused.value.status_code == 400
    duplicate.refresh_from_db()
    assert duplicate.status == Status.NEW
    assert not TicketEvent.objects.filter(kind="merged").exists()


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_customers_cannot_merge(who, request, pair):
    original, duplicate = pair
    with pytest.raises(NotAllowed):
        ticket_merge(duplicate=duplicate, original=original, actor=request.getfixturevalue(who))


def test_merge_refusals(pair, l1tech):
    original, duplicate = pair
    with pytest.raises(ApplicationError):
        ticket_merge(duplicate=original, original=original, actor=l1tech)
    ticket_merge(duplicate=duplicate, original=original, actor=l1tech)
    with pytest.raises(Conflict):
        ticket_merge(duplicate=duplicate, original=original, actor=l1tech)
    with pytest.raises(Conflict):
        ticket_merge(duplicate=original, original=duplicate, actor=l1tech)


def test_links_shown_on_both_tickets_and_across_organisations(alice, gina, l1tech, make_ticket):
    parent = make_ticket(alice, "Mail outage")
    child = make_ticket(gina, "No mail")
    ticket_link(source=parent, target=child, kind="parent", actor=l1tech)
    assert [(v.kind, v.other) for v in ticket_links(ticket=parent, user=l1tech)] == [
        ("parent_of", child)
    ]
    assert [(v.kind, v.other) for v in ticket_links(ticket=child, user=l1tech)] == [
        ("child_of", parent)
    ]
    # A customer sees no link to a ticket they may not see.
    assert ticket_links(ticket=child, user=gina) == []
    with pytest.raises(Conflict):
        ticket_link(source=child, target=parent, kind="related", actor=l1tech)
    with pytest.raises(NotAllowed):
        ticket_link(source=parent, target=child, kind="related", actor=alice)
    ticket_unlink(ticket=child, other=parent, actor=l1tech)
    assert ticket_links(ticket=parent, user=l1tech) == []
    assert TicketEvent.objects.filter(kind="unlinked").count() == 2
