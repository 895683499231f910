"""Notifications read in the recipient's language and time zone, with words, not codes."""

import pytest
from django.utils import translation

from escalation.models import Notification, NotificationKind
from escalation.services.sweep import escalation_sweep
from tickets.models import Status
from tickets.services import ticket_change_status, ticket_create, ticket_reply

from .conftest import minutes

pytestmark = pytest.mark.django_db


def test_german_recipient_of_an_english_actors_change(gina, l1tech):
    ticket = ticket_create(requester=gina, subject="Drucker", description="Geht nicht.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please restart it.")
    with translation.override("en"):
        ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    row = Notification.objects.get(
        recipient=gina, kind=NotificationKind.STATUS, body__contains="Wartet"
    )
    assert row.subject == f"[{ticket.reference}] Status: Wartet auf Kunden"
    assert "Der Status hat sich von Offen zu Wartet auf Kunden geändert." in row.body
    assert "pending_customer" not in row.body + row.subject
    assert "Level" not in row.body  # customers never read tier jargon


def test_english_technician_reads_english_when_a_german_customer_files(gina, l1tech):
    with translation.override("de"):
        ticket = ticket_create(requester=gina, subject="Drucker", description="Geht nicht.")
    row = Notification.objects.get(recipient=l1tech, ticket=ticket)
    assert "New in your queue" in row.subject
    assert "Tier: Level 1  Priority: P3 normal" in row.body


def test_breach_mail_in_words_and_the_readers_time_zone(alice, agreement, staff, clock_at):
    manager = staff["manager"]
    manager.language, manager.time_zone = "de", "Europe/Berlin"
    manager.save()
    clock_at()
    ticket = ticket_create(requester=alice, subject="Outage", description="All down.")
    clock_at(minutes(61))
    with translation.override("en"):
        escalation_sweep(queue=False)
    lead = Notification.objects.get(recipient=staff["l2"], ticket=ticket, kind="escalated")
    assert "SLA: Response (Level 1) breached" in lead.subject
    assert "(due 25 Nov 2026, 10:00 UTC)" in lead.body
    assert "escalated from Level 1 to Level 2" in lead.body
    german = Notification.objects.get(recipient=manager, ticket=ticket)
    assert "SLA: Reaktion (Level 1) verletzt" in german.subject
    assert "(fällig 25. Nov 2026, 11:00 CET)" in german.body
    assert "Das Ticket wurde von Level 1 nach Level 2 eskaliert." in german.body
