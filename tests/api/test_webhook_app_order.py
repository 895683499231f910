"""Webhook payloads do not depend on the order of INSTALLED_APPS.

That order decides only the order in which the apps connect their receivers to the domain
signals; here every receiver list runs backwards (as if `api` came before `sla` and
`escalation`), and the payloads still carry the ticket as each write left it.
"""

import pytest
from django.dispatch import Signal
from django.utils.dateparse import parse_datetime

from api.models import WebhookDelivery, WebhookEvent
from api.webhooks import services
from api.webhooks.receivers import ticket_payload
from escalation.services.manual import ticket_escalate
from releases import signals as release_signals
from tickets import signals as ticket_signals
from tickets.models import Ticket
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def receivers_backwards():
    signals = [
        s
        for module in (ticket_signals, release_signals)
        for s in vars(module).values()
        if isinstance(s, Signal)
    ]
    saved = {}
    for signal in signals:
        with signal.lock:
            saved[signal] = list(signal.receivers)
            signal.receivers.reverse()
            signal.sender_receivers_cache.clear()
    yield
    for signal, receivers in saved.items():
        with signal.lock:
            signal.receivers[:] = receivers
            signal.sender_receivers_cache.clear()


def _same(payload: dict, ticket: Ticket) -> bool:
    """The payload (as stored: JSON) says what the ticket row says."""
    got = dict(payload)
    for key in ("response_due", "resolution_due", "next_response_due"):
        got[key] = parse_datetime(got[key]) if got.get(key) else None
    return got == ticket_payload(ticket)


@pytest.mark.parametrize("order", ["as configured", "backwards"])
def test_payloads_carry_the_ticket_as_each_write_left_it(order, request, manager, alice, l1tech):
    if order == "backwards":
        request.getfixturevalue("receivers_backwards")
    services.webhook_create(
        actor=manager, url="https://hooks.example.com/x", events=list(WebhookEvent.values)
    )
    ticket = ticket_create(requester=alice, subject="VPN down", description="x")
    created = Ticket.objects.get(pk=ticket.pk)
    ticket_escalate(
        ticket=ticket,
        actor=l1tech,
        handoff_note="Restarted the VPN client twice; still down.",
        expected_tier="L1",
    )
    escalated = Ticket.objects.get(pk=ticket.pk)

    first, last = WebhookDelivery.objects.order_by("id")
    assert (first.event, last.event) == (WebhookEvent.TICKET_CREATED, WebhookEvent.ESCALATED)
    # The SLA engine's deadlines are in, whichever app's receivers run first.
    assert created.response_due_at is not None
    assert _same(first.payload["ticket"], created)
    assert escalated.tier == "L2" and escalated.response_due_at != created.response_due_at
    assert _same(last.payload["ticket"], escalated)


def test_a_customer_reply_tells_integrations_when_the_next_answer_is_owed(manager, alice, l1tech):
    services.webhook_create(
        actor=manager, url="https://hooks.example.com/x", events=[WebhookEvent.REPLY_ADDED]
    )
    ticket = ticket_create(requester=alice, subject="VPN down", description="x")
    ticket_reply(ticket=ticket, author=l1tech, body="Looking into it.")
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    replied = Ticket.objects.get(pk=ticket.pk)

    last = WebhookDelivery.objects.order_by("id").last()
    assert replied.next_response_due_at is not None
    assert parse_datetime(last.payload["ticket"]["next_response_due"]) == (
        replied.next_response_due_at
    )
    assert _same(last.payload["ticket"], replied)
