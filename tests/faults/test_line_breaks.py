"""A subject with CR/LF (or any other line break) cannot break a ticket's notifications:
single-line fields are normalised when written, outbox subjects when composed, and a row that
still cannot be sent is given up at once without holding up the others."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from common.text import single_line
from escalation.models import Notification
from escalation.services.delivery import notifications_deliver_due
from escalation.services.notify import MAX_ATTEMPTS
from tests.factories import api_key
from tickets.models import Ticket
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db

INJECTED = "Printer\r\nBcc: everyone@example.com\nX-Evil: 1\u2028again\x0bend"


def test_single_line_turns_every_break_into_a_space():
    assert single_line(INJECTED) == "Printer Bcc: everyone@example.com X-Evil: 1 again end"
    assert single_line("plain") == "plain"


def test_subjects_are_stored_on_one_line_through_the_service_and_the_api(alice):
    ticket = ticket_create(requester=alice, subject=INJECTED, description="d")
    assert "\n" not in ticket.subject and "\r" not in ticket.subject
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice)}")
    response = client.post("/api/v1/tickets/", {"subject": "A\r\nB", "description": "d"})
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).subject == "A B"


def test_the_ticket_notifications_are_sent_with_a_clean_subject(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="Printer", description="d")
    # A row written before the fix (or by any other path) with a broken subject.
    Ticket.objects.filter(pk=ticket.pk).update(subject=INJECTED)
    ticket.refresh_from_db()
    ticket_reply(ticket=ticket, author=l1tech, body="Looking at it.")
    Notification.objects.filter(ticket=ticket).update(subject=f"[{ticket.reference}] {INJECTED}")
    mail.outbox.clear()
    sent = notifications_deliver_due()
    assert sent == Notification.objects.filter(ticket=ticket).count() > 0
    for message in mail.outbox:
        header = message.message()["Subject"]
        assert "\n" not in header and "Bcc" not in message.message()
        assert not message.bcc


def test_a_row_that_cannot_be_sent_is_given_up_and_the_others_are_delivered(alice, bob, l1tech):
    broken = ticket_create(requester=alice, subject="Alice's", description="d")
    fine = ticket_create(requester=bob, subject="Bob's", description="d")
    ticket_reply(ticket=broken, author=l1tech, body="Hello Alice.")
    ticket_reply(ticket=fine, author=l1tech, body="Hello Bob.")
    # An address no mail server takes (written around the forms' validation).
    type(alice).objects.filter(pk=alice.pk).update(email="alice@example.com\nBcc: x@example.com")
    mail.outbox.clear()
    notifications_deliver_due()
    bad = Notification.objects.filter(recipient=alice, sent_at__isnull=True)
    assert bad.exists()
    assert set(bad.values_list("attempts", flat=True)) == {MAX_ATTEMPTS}
    assert all(row.last_error.startswith("not sendable") for row in bad)
    assert Notification.objects.filter(recipient=bob, sent_at__isnull=True).count() == 0
    assert {m.to[0] for m in mail.outbox} >= {bob.email}
    # Given up rows are not taken again.
    mail.outbox.clear()
    notifications_deliver_due()
    assert not [m for m in mail.outbox if m.to[0].startswith("alice")]
