"""Watchers and CC: who may copy whom in, what watchers see and are told."""

import pytest

from common.errors import ApplicationError, NotAllowed
from desk.selectors import ticket_watchers
from desk.services.watchers import watcher_add, watcher_remove
from escalation.models import Notification
from tests.factories import UserFactory
from tickets.models import Ticket, TicketEvent, Watcher
from tickets.selectors import ticket_replies
from tickets.services import ticket_move_tier, ticket_reply

pytestmark = pytest.mark.django_db


def test_customer_copies_in_a_colleague_who_then_sees_the_ticket(alice, bob, make_ticket):
    ticket = make_ticket(alice)
    assert not Ticket.objects.visible_to(bob).filter(pk=ticket.pk).exists()
    watcher_add(ticket=ticket, actor=alice, user=bob)
    assert Ticket.objects.visible_to(bob).filter(pk=ticket.pk).exists()
    assert TicketEvent.objects.filter(ticket=ticket, kind="watcher_added", internal=False).exists()
    # Adding twice is harmless.
    watcher_add(ticket=ticket, actor=alice, user=bob)
    assert Watcher.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("bob", True),  # colleague of the same organisation
        ("gina", False),  # customer of another organisation
        ("l1tech", False),  # customers cannot copy in staff
    ],
)
def test_permission_matrix_customer_adds(who, allowed, request, alice, make_ticket):
    ticket = make_ticket(alice)
    user = request.getfixturevalue(who)
    if allowed:
        watcher_add(ticket=ticket, actor=alice, user=user)
        assert Watcher.objects.filter(ticket=ticket, user=user).exists()
    else:
        with pytest.raises(ApplicationError) as refused:
            watcher_add(ticket=ticket, actor=alice, user=user)
        assert refused.value.status_code == 400
        assert not Watcher.objects.filter(ticket=ticket).exists()
        assert not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists() or (
            user.is_support_staff
        )


def test_stranger_cannot_copy_in_and_staff_can(alice, bob, gina, l1tech, make_ticket):
    ticket = make_ticket(alice)
    colleague = UserFactory(username="carol", organisation=alice.organisation)
    with pytest.raises(ApplicationError):
        watcher_add(ticket=ticket, actor=bob, user=colleague)  # bob is not on the ticket
    watcher_add(ticket=ticket, actor=l1tech, user=colleague)
    with pytest.raises(ApplicationError):
        watcher_add(ticket=ticket, actor=l1tech, user=gina)  # staff neither, across orgs
    assert list(Watcher.objects.values_list("user__username", flat=True)) == ["carol"]


def test_staff_follow_and_keep_seeing_after_escalation(alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=l1tech, user=l1tech)
    ticket_move_tier(ticket=ticket, actor=None, tier="L3", reason="test")
    assert Ticket.objects.visible_to(l1tech).filter(pk=ticket.pk).exists()
    assert TicketEvent.objects.get(ticket=ticket, kind="watcher_added").internal


def test_visible_to_has_no_duplicates_with_several_watchers(alice, bob, manager, make_ticket):
    ticket = make_ticket(alice)
    alice.is_organisation_contact = True
    alice.save()
    watcher_add(ticket=ticket, actor=alice, user=bob)
    watcher_add(ticket=ticket, actor=manager, user=manager)
    assert list(Ticket.objects.visible_to(alice)) == [ticket]
    assert list(Ticket.objects.visible_to(bob)) == [ticket]


def test_watchers_notified_of_replies_but_never_of_notes(alice, bob, l1tech, make_ticket):
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=alice, user=bob)
    Notification.objects.all().delete()
    ticket_reply(ticket=ticket, author=l1tech, body="Secret routing detail", internal=True)
    assert not Notification.objects.filter(recipient=bob).exists()
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart.")
    mine = Notification.objects.filter(recipient=bob)
    assert [n.kind for n in mine] == ["reply", "status"]  # the reply, and new → open
    assert all("Secret" not in n.body for n in Notification.objects.all())
    # A customer watcher reads the public conversation only.
    assert [r.body for r in ticket_replies(ticket=ticket, user=bob)] == ["Please restart."]


def test_customers_see_only_customer_watchers_and_remove_colleagues(
    alice, bob, l1tech, make_ticket
):
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=alice, user=bob)
    watcher_add(ticket=ticket, actor=l1tech, user=l1tech)
    assert [w.user for w in ticket_watchers(ticket=ticket, user=alice)] == [bob]
    assert len(ticket_watchers(ticket=ticket, user=l1tech)) == 2
    with pytest.raises(NotAllowed):
        watcher_remove(ticket=ticket, actor=bob, user=l1tech)
    assert watcher_remove(ticket=ticket, actor=alice, user=bob)
    assert watcher_remove(ticket=ticket, actor=l1tech, user=l1tech)
    assert not Watcher.objects.exists()


def test_a_german_watcher_reads_an_english_actors_reply_and_status_in_german(
    alice, l1tech, make_ticket
):
    """Watcher mails are rendered per reader like every other notice (language, no jargon)."""
    from django.utils import translation

    from tickets.services import ticket_change_status

    colleague = UserFactory(username="greta", organisation=alice.organisation, language="de")
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=alice, user=colleague)
    with translation.override("en"):
        ticket_reply(ticket=ticket, author=l1tech, body="Please restart it.")
        ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    reply = Notification.objects.get(recipient=colleague, cause_key__startswith="watch-reply:")
    assert reply.subject.startswith(f"[{ticket.reference}] Neue Antwort: ")
    assert "Please restart it." in reply.body and "Level" not in reply.body
    status = Notification.objects.get(
        recipient=colleague, cause_key__startswith="watch-status:", body__contains="Wartet"
    )
    assert status.subject == f"[{ticket.reference}] Status: Wartet auf Kunden"
    assert "pending_customer" not in status.subject + status.body
    # The English requester still reads English.
    mine = Notification.objects.filter(recipient=alice, kind="status").latest("id")
    assert mine.subject == f"[{ticket.reference}] Status: Waiting for customer"
