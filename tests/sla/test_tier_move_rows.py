"""A tier move writes each ticket row once: core columns by the ticket service, SLA columns
computed by the SLA engine and answered to it; listeners may not answer core columns."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from sla.models import Clock
from sla.services.sync import sla_columns
from tickets import signals
from tickets.models import Status, Ticket
from tickets.services import TierMove, ticket_create, tickets_move_tier

from .conftest import berlin

pytestmark = pytest.mark.django_db


def _ticket_updates(captured) -> int:
    # An executemany (SQLite: one prepared UPDATE for all rows) is logged as "N times: …".
    statements = [re.sub(r"^\d+ times: ", "", q["sql"].lstrip()) for q in captured.captured_queries]
    return sum(1 for sql in statements if sql.upper().startswith('UPDATE "TICKETS_TICKET"'))


@pytest.mark.parametrize("count", [1, 3])
def test_a_tier_move_writes_the_ticket_rows_once_with_the_new_tiers_deadlines(
    alice, standard, at, count
):
    at(berlin(2026, 3, 2, 10, 0))
    tickets = [
        ticket_create(requester=alice, subject=f"s{n}", description="d") for n in range(count)
    ]
    before = {t.pk: t.response_due_at for t in tickets}
    at(berlin(2026, 3, 2, 11, 0))
    with CaptureQueriesContext(connection) as captured:
        tickets_move_tier(moves=[TierMove(t, Tier.L2, "test") for t in tickets], actor=None)
    assert _ticket_updates(captured) == 1
    for ticket in Ticket.objects.filter(pk__in=before):
        assert ticket.tier == Tier.L2
        expected = sla_columns(tier=Tier.L2, clocks=Clock.objects.filter(ticket=ticket))
        assert {column: getattr(ticket, column) for column in expected} == expected
        # The L2 response clock started at the move: a new deadline, written with the move.
        assert ticket.response_due_at != before[ticket.pk]


def test_a_listener_answering_core_columns_is_refused_and_nothing_moves(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")

    def meddle(changes, **kwargs):
        return {t.pk: {"status": Status.CLOSED} for t, *_rest in changes}

    signals.tickets_tier_changed.connect(meddle, dispatch_uid="test_meddle")
    try:
        with pytest.raises(ValueError, match="core ticket columns"):
            tickets_move_tier(moves=[TierMove(ticket, Tier.L2, "test")], actor=None)
    finally:
        signals.tickets_tier_changed.disconnect(dispatch_uid="test_meddle")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.status) == (Tier.L1, Status.NEW)
    assert ticket.clocks.count() == 2  # the L2 clock went with the rolled-back move
