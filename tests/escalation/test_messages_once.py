"""A batch translates each text once; every message still carries its own ticket's facts."""

import pytest
from django.utils import translation

from accounts.models import Tier
from escalation import messages
from sla.models import Clock, ClockKind

from .overdue import overdue_tickets

pytestmark = pytest.mark.django_db


def test_texts_once_gives_each_ticket_the_message_rendered_without_it(alice, agreement):
    tickets = overdue_tickets(alice, 2)
    clocks = [Clock.objects.get(ticket=t, kind=ClockKind.RESPONSE, tier=Tier.L1) for t in tickets]
    plain = [
        messages.clock_message(ticket=t, clock=c, breach=True, moved_from=Tier.L1)
        for t, c in zip(tickets, clocks, strict=True)
    ]
    with messages.texts_once():
        once = [
            messages.clock_message(ticket=t, clock=c, breach=True, moved_from=Tier.L1)
            for t, c in zip(tickets, clocks, strict=True)
        ]
    assert once == plain
    assert plain[0] != plain[1]
    assert tickets[1].reference in once[1][0] and tickets[0].reference not in once[1][0]


def test_texts_once_translates_in_the_active_language(alice, agreement):
    (ticket,) = overdue_tickets(alice, 1)
    with translation.override("de"):
        plain = messages.queue_message(ticket=ticket, escalated=True)
        with messages.texts_once():
            assert messages.queue_message(ticket=ticket, escalated=True) == plain
    # The memo lives for the batch only: after it, texts follow the language again.
    assert messages._texts.get() is None
