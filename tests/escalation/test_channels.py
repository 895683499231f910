"""Choices per kind and channel: e-mail only, in the app only, both or neither — one outbox
row either way (or none), and mandatory kinds always by e-mail."""

import pytest
from django.core import mail

from escalation.models import Notification, NotificationKind
from escalation.selectors import inbox, unread_count
from escalation.services.delivery import notifications_deliver_due
from escalation.services.preferences import notification_preference_set
from tickets.services import ticket_change_status, ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, l1tech):
    return ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")


def test_in_app_only_is_listed_and_never_mailed(ticket, alice, l1tech):
    notification_preference_set(user=alice, kind=NotificationKind.STATUS, mail=False)
    mail.outbox.clear()
    ticket_change_status(ticket=ticket, actor=l1tech, status="on_hold")
    row = Notification.objects.get(recipient=alice, kind=NotificationKind.STATUS)
    assert (row.mail, row.in_app, row.digest) == (False, True, False)
    assert list(inbox(user=alice)) == [row]
    assert unread_count(user=alice) == 1
    notifications_deliver_due()
    assert [m.to for m in mail.outbox if m.to == ["alice@example.com"]] == []
    row.refresh_from_db()
    assert row.sent_at is None  # nothing to send, and the re-queue never picks it up


def test_mail_only_is_mailed_and_not_listed(ticket, alice, l1tech):
    notification_preference_set(user=alice, kind=NotificationKind.REPLY, in_app=False)
    ticket_reply(ticket=ticket, author=l1tech, body="Open tray 2, please.")
    row = Notification.objects.get(recipient=alice, kind=NotificationKind.REPLY)
    assert (row.mail, row.in_app) == (True, False)
    assert row not in inbox(user=alice)
    mail.outbox.clear()
    notifications_deliver_due()
    assert any("Open tray 2" in m.body for m in mail.outbox if m.to == ["alice@example.com"])


def test_neither_channel_writes_no_row(ticket, alice, l1tech):
    notification_preference_set(user=alice, kind=NotificationKind.STATUS, mail=False, in_app=False)
    ticket_change_status(ticket=ticket, actor=l1tech, status="on_hold")
    assert not Notification.objects.filter(recipient=alice, kind=NotificationKind.STATUS).exists()


def test_staff_channels_too(alice, l1tech):
    notification_preference_set(user=l1tech, kind=NotificationKind.NEW_IN_QUEUE, mail=False)
    ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    row = Notification.objects.get(recipient=l1tech)
    assert (row.mail, row.digest, row.in_app) == (False, False, True)
