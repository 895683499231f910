"""Ordinary notifications through the outbox; delivery marked once, retried, never leaking notes."""

from datetime import timedelta

import pytest
from django.core import mail

from escalation.models import (
    MailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationSettings,
)
from escalation.services.delivery import (
    DeliveryFailed,
    notification_deliver,
    notifications_deliver_due,
)
from tickets.models import EventKind, TicketEvent
from tickets.services import (
    ticket_assign,
    ticket_change_status,
    ticket_create,
    ticket_move_tier,
    ticket_reply,
)

from .conftest import minutes
from .helpers import notified

pytestmark = pytest.mark.django_db

SECRET = "root password is hunter2"


@pytest.fixture
def ticket(alice, agreement, staff, clock_at):
    clock_at()
    return ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")


def test_new_ticket_tells_its_tier_group(ticket):
    assert notified(ticket) == {("l1tech", NotificationKind.NEW_IN_QUEUE)}


def test_staff_reply_and_status_tell_requester_internal_note_nothing(ticket, l1tech):
    Notification.objects.all().delete()
    ticket_reply(ticket=ticket, author=l1tech, body=SECRET, internal=True)
    assert not Notification.objects.exists()
    ticket_reply(ticket=ticket, author=l1tech, body="Please open tray 2 and check.")
    # The public reply (new → open happens with it, and is a status change too).
    assert notified(ticket) == {
        ("alice", NotificationKind.REPLY),
        ("alice", NotificationKind.STATUS),
    }
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    assert Notification.objects.filter(recipient__username="alice", kind="status").count() == 2
    assert not Notification.objects.filter(body__contains=SECRET).exists()
    assert not Notification.objects.filter(subject__contains=SECRET).exists()


def test_assignment_and_customer_reply_tell_assignee(ticket, alice, l1tech, manager):
    ticket_assign(ticket=ticket, actor=manager, assignee=l1tech)
    assert ("l1tech", NotificationKind.ASSIGNED) in notified(ticket)
    ticket_reply(ticket=ticket, author=alice, body="It jams again.")
    assert ("l1tech", NotificationKind.CUSTOMER_REPLY) in notified(ticket)
    # Nobody is told about their own action.
    assert ("alice", NotificationKind.REPLY) not in notified(ticket)


def test_customer_reply_on_unassigned_ticket_tells_its_tier_group(ticket, alice, l1tech, manager):
    ticket_move_tier(ticket=ticket, actor=manager, tier="L2", reason="needs L2")
    Notification.objects.all().delete()
    ticket_reply(ticket=ticket, author=alice, body="Still jams, any news?")
    # Nobody holds the ticket, so the group whose queue it sits in hears of the reply.
    assert ("l2tech", NotificationKind.CUSTOMER_REPLY) in notified(ticket)
    assert ("l1tech", NotificationKind.CUSTOMER_REPLY) not in notified(ticket)


def test_self_assignment_is_not_notified(ticket, l1tech):
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    assert ("l1tech", NotificationKind.ASSIGNED) not in notified(ticket)


def test_switched_off_kind_is_not_written(ticket, alice, l1tech):
    NotificationPreference.objects.create(
        user=alice, kind=NotificationKind.REPLY, mail=False, in_app=False
    )
    ticket_reply(ticket=ticket, author=l1tech, body="Try turning it off and on.")
    assert ("alice", NotificationKind.REPLY) not in notified(ticket)
    assert ("alice", NotificationKind.STATUS) in notified(ticket)


@pytest.fixture
def immediate(l1tech):
    """l1tech takes one e-mail per notice (staff get a digest by default)."""
    NotificationSettings.objects.create(user=l1tech, mail_mode=MailMode.IMMEDIATE)


def test_delivery_sends_once_and_records_event(immediate, ticket):
    row = Notification.objects.get()
    assert notification_deliver(notification_id=row.pk) is True
    assert notification_deliver(notification_id=row.pk) is False  # a duplicate message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["l1tech@example.com"]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert (
        TicketEvent.objects.filter(
            ticket=ticket, kind=EventKind.NOTIFICATION, internal=True
        ).count()
        == 1
    )


def test_smtp_failure_is_retried_with_backoff(immediate, ticket, settings, clock_at):
    row = Notification.objects.get()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with pytest.raises(DeliveryFailed) as failed:
        notification_deliver(notification_id=row.pk)
    assert failed.value.retry_in == 60
    row.refresh_from_db()
    assert (row.sent_at, row.attempts) == (None, 1)
    assert row.last_error
    # Not due again before the backoff has passed, then sent by the in-process path.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock_at(minutes(0.5))
    assert notifications_deliver_due() == 0
    clock_at(timedelta(seconds=61))
    assert notifications_deliver_due() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2
    assert len(mail.outbox) == 1


def test_preferences_round_trip_through_service_and_selector(ticket, alice, l1tech):
    from common.errors import ApplicationError
    from escalation.selectors import notice_choices
    from escalation.services.preferences import notification_preference_set

    assert all(c.mail and c.in_app for c in notice_choices(user=alice))
    notification_preference_set(user=alice, kind=NotificationKind.STATUS, mail=False, in_app=False)
    status = {c.kind: c for c in notice_choices(user=alice)}[NotificationKind.STATUS]
    assert (status.mail, status.in_app) == (False, False)
    ticket_change_status(ticket=ticket, actor=l1tech, status="on_hold")
    assert ("alice", NotificationKind.STATUS) not in notified(ticket)
    notification_preference_set(user=alice, kind=NotificationKind.STATUS, mail=True)
    ticket_change_status(ticket=ticket, actor=l1tech, status="open")
    assert ("alice", NotificationKind.STATUS) in notified(ticket)
    with pytest.raises(ApplicationError):
        notification_preference_set(user=alice, kind="carrier_pigeon", mail=False)
