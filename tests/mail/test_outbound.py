"""Notifications as e-mails: one thread per ticket, a reply token, text + HTML, language."""

import email
from email import policy

import pytest
from django.core import mail

from escalation.models import Notification, NotificationKind
from escalation.services.delivery import notifications_send
from mail import addresses
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, l1tech):
    return ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")


def sent(notification: Notification) -> email.message.EmailMessage:
    mail.outbox.clear()
    # A digest of one notice (staff, by default) is the ordinary e-mail of that notice.
    assert notifications_send(ids=[notification.pk]).sent == 1
    assert len(mail.outbox) == 1
    raw = mail.outbox[0].message().as_bytes()
    return email.message_from_bytes(raw, policy=policy.default)


def test_staff_reply_mail_carries_the_reply_thread_and_token(ticket, alice, l1tech):
    ticket_reply(ticket=ticket, author=l1tech, body="Please open **tray 2** and check.")
    row = Notification.objects.get(recipient=alice, kind=NotificationKind.REPLY)
    message = sent(row)
    root = addresses.thread_root_id(ticket.pk)
    assert message["Message-ID"] == addresses.notification_message_id(
        notification_id=row.pk, ticket_id=ticket.pk
    )
    assert message["In-Reply-To"] == root
    assert message["References"] == root
    assert message["Reply-To"] == addresses.reply_address(ticket.pk)
    assert f"+{ticket.reference}.{addresses.reply_token(ticket.pk)}@" in message["Reply-To"]
    # A person's words: no Auto-Submitted, so the customer's mail client answers normally.
    assert message["Auto-Submitted"] is None
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Please open **tray 2** and check." in text
    assert "<strong>tray 2</strong>" in html
    assert "Reply to this e-mail" in text
    # The Message-ID and the thread both lead back to this ticket, verified by the token.
    assert addresses.ticket_from_message_ids([message["Message-ID"]]) == ticket.pk
    assert addresses.ticket_from_addresses([message["Reply-To"]]) == ticket.pk


def test_automatic_notice_says_so_and_retry_keeps_its_message_id(ticket, l1tech):
    row = Notification.objects.get(recipient=l1tech, kind=NotificationKind.NEW_IN_QUEUE)
    first = sent(row)
    assert first["Auto-Submitted"] == "auto-generated"
    from mail.outbound import notification_email

    row.refresh_from_db()
    again = notification_email(row).message()
    assert again["Message-ID"] == first["Message-ID"]


def test_mail_speaks_the_recipients_language(gina, l1tech):
    ticket = ticket_create(requester=gina, subject="Drucker", description="Papierstau.")
    ticket_reply(ticket=ticket, author=l1tech, body="Bitte Fach 2 öffnen.")
    message = sent(Notification.objects.get(recipient=gina, kind=NotificationKind.REPLY))
    assert message["Content-Language"] == "de"
    text = message.get_body(("plain",)).get_content()
    assert "Antworten Sie auf diese E-Mail" in text
    assert 'lang="de"' in message.get_body(("html",)).get_content()


def test_html_part_escapes_what_the_reply_contains(ticket, alice, l1tech):
    ticket_reply(ticket=ticket, author=l1tech, body="<script>alert(1)</script> [x](javascript:1)")
    html = (
        sent(Notification.objects.get(recipient=alice, kind=NotificationKind.REPLY))
        .get_body(("html",))
        .get_content()
    )
    assert "<script>" not in html and 'href="javascript' not in html


def test_forged_tokens_do_not_verify(ticket):
    good = addresses.reply_address(ticket.pk)
    forged = good.replace(addresses.reply_token(ticket.pk), "0" * addresses.TOKEN_LENGTH)
    other = addresses.reply_address(ticket.pk).replace(ticket.reference, f"HD-{ticket.pk + 1:06d}")
    assert addresses.ticket_from_addresses([forged]) is None
    assert addresses.ticket_from_addresses([other]) is None
    assert addresses.ticket_from_message_ids([f"<{ticket.reference}.deadbeef@x>"]) is None
