"""The history reads like a person wrote it, in the reader's language, one entry per action."""

import pytest
from django.urls import reverse

from escalation.services.delivery import notifications_deliver_due
from escalation.services.manual import ticket_escalate
from escalation.services.sweep import escalation_sweep
from tickets.services import ticket_create, ticket_reply

from .conftest import minutes

pytestmark = pytest.mark.django_db


def history(client, user, ticket):
    client.force_login(user)
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    return html[html.index('id="timeline-title"') :]


@pytest.fixture
def swept(alice, agreement, staff, clock_at):
    clock_at()
    answered = ticket_create(requester=alice, subject="Answered", description="d")
    ticket_reply(ticket=answered, author=staff["l1"], body="On it.")
    silent = ticket_create(requester=alice, subject="Silent", description="d")
    clock_at(minutes(61))  # the silent ticket's L1 response breaches: moved to L2
    escalation_sweep(queue=False)
    clock_at(minutes(1441))  # the answered ticket's resolution breaches: notify-only rule
    escalation_sweep(queue=False)
    notifications_deliver_due()
    return answered, silent


def test_sweep_history_has_words_names_and_recipients(client, swept, staff):
    answered, silent = swept
    staff["manager"].first_name, staff["manager"].last_name = "Mia", "Manager"
    staff["manager"].save()
    text = history(client, staff["manager"], answered)
    assert "L1 → L1" not in text and "Escalated" not in text
    assert "SLA rule applied (Resolution breach)" in text
    assert "Notification sent to Mia Manager: SLA breach / escalation" in text
    assert "resolution_breach" not in text and "(resolution )" not in text
    text = history(client, staff["manager"], silent)
    assert "Moved from Level 1 to Level 2 (SLA: Response breach)" in text
    assert "response_breach (SLA)" not in text


def test_german_reader_reads_german(client, swept, staff):
    answered, silent = swept
    staff["manager"].language = "de"
    staff["manager"].save()
    text = history(client, staff["manager"], silent)
    assert "(response L1)" not in text and "response at" not in text
    assert "SLA: Reaktionszeit verletzt" in text and "Verschoben von Level 1 zu Level 2" in text


def test_manual_escalation_is_one_entry(client, alice, agreement, staff):
    ticket = ticket_create(requester=alice, subject="Manual", description="d")
    note = "Checked the logs and restarted the service; customer waits since 9."
    ticket_escalate(ticket=ticket, actor=staff["l1"], handoff_note=note, expected_tier="L1")
    text = history(client, staff["l2"], ticket)
    assert text.count("Level 1 to Level 2") == 1
    assert f"Escalated from Level 1 to Level 2: “{note}”" in text
