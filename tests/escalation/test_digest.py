"""Staff digests: one e-mail per recipient for a whole sweep, in their language and zone,
each outbox row sent exactly once, the window respected; customers one e-mail per message."""

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import translation

from escalation.models import MailMode, Notification, NotificationKind, NotificationSettings
from escalation.services.delivery import digest_deliver, notifications_deliver_due
from escalation.services.sweep import escalation_sweep
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_change_status, ticket_create

from .conftest import minutes

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(settings):
    settings.TIERDESK_NOTIFY_DIGEST_SECONDS = 60
    return 60


def file_tickets(requester, count):
    return [
        ticket_create(requester=requester, subject=f"Outage {n}", description="Down.")
        for n in range(count)
    ]


def test_a_sweep_that_breaches_100_tickets_mails_each_technician_once(
    alice, agreement, staff, clock_at, window
):
    manager = staff["manager"]
    manager.language, manager.time_zone = "de", "Europe/Berlin"
    manager.save()
    clock_at()
    tickets = file_tickets(alice, 100)
    Notification.objects.all().delete()  # the "new in your queue" notices of filing them
    clock_at(minutes(61))
    with translation.override("en"):
        escalation_sweep(queue=False)
    rows = Notification.objects.filter(cause_key__endswith=":breach")
    # The outbox still holds one row per cause and recipient (the in-app list shows each).
    assert rows.filter(recipient=staff["l2"]).count() == 100
    assert rows.filter(recipient=manager).count() == 100
    assert rows.filter(digest=True).count() == 200
    # Nothing leaves before the digest window has passed …
    assert notifications_deliver_due() == 0
    assert mail.outbox == []
    clock_at(minutes(61) + minutes(1.1))
    # … then one e-mail per person, for all 100 tickets.
    assert notifications_deliver_due() == 200
    assert sorted(m.to[0] for m in mail.outbox) == ["l2tech@example.com", "manager@example.com"]
    english = next(m for m in mail.outbox if m.to == ["l2tech@example.com"])
    assert english.subject == "[Tierdesk] 100 notices: Ticket escalated to your tier (100)"
    assert "100 notices since 25 Nov 2026, 10:01 UTC:" in english.body
    for ticket in tickets:
        assert f"{ticket.reference} “{ticket.subject}”: SLA: Response (Level 1) breached" in (
            english.body
        )
        assert f"{django_settings.SITE_URL}/tickets/{ticket.pk}/" in english.body
    assert "response_breach" not in english.body and "_" not in english.subject
    assert english.extra_headers["Auto-Submitted"] == "auto-generated"
    german = next(m for m in mail.outbox if m.to == ["manager@example.com"])
    assert german.subject.startswith("[Tierdesk] 100 Benachrichtigungen: ")
    assert "100 Benachrichtigungen seit 25. Nov 2026, 11:01 CET:" in german.body
    assert "SLA: Reaktion (Level 1) verletzt · 11:01 CET" in german.body
    assert german.extra_headers["Content-Language"] == "de"
    # Every row sent once, each in the ticket's history (a retry sends nothing more).
    assert not rows.filter(sent_at__isnull=True).exists()
    assert TicketEvent.objects.filter(kind=EventKind.NOTIFICATION).count() == 200
    assert notifications_deliver_due() == 0
    assert digest_deliver(recipient_id=manager.pk) == 0
    assert len(mail.outbox) == 2


def test_rows_written_while_the_window_is_open_join_the_same_digest(
    alice, agreement, staff, clock_at, window
):
    clock_at()
    file_tickets(alice, 2)
    clock_at(minutes(0.5))
    file_tickets(alice, 3)  # before the first row is due: same e-mail
    clock_at(minutes(1.05))
    assert notifications_deliver_due() == 5
    (digest,) = mail.outbox
    assert digest.to == ["l1tech@example.com"]
    assert "5 notices" in digest.subject and "New ticket in your queue (5)" in digest.subject
    # A later one opens a new window of its own.
    file_tickets(alice, 1)
    assert notifications_deliver_due() == 0
    clock_at(minutes(2.1))
    assert notifications_deliver_due() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("[HD-")  # a digest of one is the ordinary e-mail


def test_staff_who_chose_immediately_and_customers_get_one_mail_per_notice(
    alice, agreement, staff, clock_at, window
):
    NotificationSettings.objects.create(user=staff["l1"], mail_mode=MailMode.IMMEDIATE)
    clock_at()
    tickets = file_tickets(alice, 3)
    for ticket in tickets:
        ticket_change_status(ticket=ticket, actor=staff["l1"], status="on_hold")
    assert not Notification.objects.filter(digest=True).exists()
    assert notifications_deliver_due() == 6
    assert (
        sorted(m.to[0] for m in mail.outbox)
        == ["alice@example.com"] * 3 + ["l1tech@example.com"] * 3
    )
    customer = Notification.objects.filter(recipient=alice, kind=NotificationKind.STATUS)
    assert customer.count() == 3 and not customer.filter(digest=True).exists()


def test_a_failed_digest_keeps_every_row_and_retries_them_together(
    alice, agreement, staff, clock_at, settings
):
    clock_at()
    file_tickets(alice, 4)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    assert notifications_deliver_due() == 0
    rows = Notification.objects.filter(recipient=staff["l1"])
    assert set(rows.values_list("attempts", "sent_at")) == {(1, None)}
    assert all(rows.values_list("last_error", flat=True))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock_at(minutes(1.05))  # the first backoff (a minute) has passed
    assert notifications_deliver_due() == 4
    assert len(mail.outbox) == 1 and "4 notices" in mail.outbox[0].subject
