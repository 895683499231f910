"""A customer opens, follows and answers a ticket by mail alone (service level; the browser
version is tests/browser/test_mail_round_trip.py)."""

import pytest

from mail import addresses
from mail.models import InboundMail, Outcome
from sla.models import Clock, ClockKind
from tests.mail.mails import mail
from tests.mail.roundtrip import answer, deliver_outbox_and_receive, poll
from tickets.models import Status, Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def test_mail_only_round_trip_threads_and_keeps_clocks_right(
    dovecot, folder, desk_mailbox, smtp, alice, l1tech
):
    first = mail(subject="VPN drops every hour", text="Since Monday the VPN drops.")
    dovecot.deliver(folder, first)
    assert poll(desk_mailbox) == {Outcome.TICKET: 1}
    ticket = Ticket.objects.get()
    origin = InboundMail.objects.get().message_id
    response = Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE, tier="L1")
    assert response.is_running

    ticket_reply(ticket=ticket, author=l1tech, body="Please update the VPN client to 5.2.")
    received = deliver_outbox_and_receive(smtp, "alice@example.com")
    # The mail the customer's client shows: in the thread of her own first mail, with the
    # reply itself, answerable to this ticket only.
    assert received["In-Reply-To"] == origin
    assert received["References"].split() == [addresses.thread_root_id(ticket.pk), origin]
    assert addresses.ticket_from_addresses([received["Reply-To"]]) == ticket.pk
    assert "Please update the VPN client to 5.2." in received.get_body(("plain",)).get_content()
    assert "VPN client to 5.2." in received.get_body(("html",)).get_content()
    response.refresh_from_db()
    assert response.met_at is not None  # the public reply met the L1 response clock

    dovecot.deliver(folder, answer(received, sender="alice@example.com", text="Updated, fine now."))
    assert poll(desk_mailbox) == {Outcome.REPLY: 1}
    reply = ticket.replies.filter(author=alice).get()
    assert reply.body == "Updated, fine now."
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    # The assignee-less ticket's staff are not mailed the customer's words twice, and the
    # customer's own answer produced no mail back to her (no loop).
    assert all(
        "alice@example.com" not in rcpts
        for _s, rcpts, _c in smtp.messages
        if b"Updated, fine now." in _c
    )
