"""The queue's urgency order is served by an index, not by sorting every active ticket."""

import pytest
from django.db import connection

from accounts.models import Tier
from sla.services.sync import sla_columns
from tests.factories import TicketFactory
from tickets.models import Ticket
from web.selectors import queue_tickets

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan(queryset, *, sort: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Only whether an index *can* serve the query: on a handful of rows the planner
        # would rightly prefer a scan (and a sort).
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("user_fixture", "filters", "index"),
    [
        ("l1tech", {"tier": "L1"}, "ticket_queue_tier_urgency"),
        ("manager", {"tier": "all"}, "ticket_queue_urgency"),
    ],
)
def test_first_queue_page_reads_the_urgency_index(request, alice, user_fixture, filters, index):
    TicketFactory.create_batch(3, requester=alice)
    user = request.getfixturevalue(user_fixture)
    page = queue_tickets(user=user, filters=filters)[:25]
    explained = plan(page)
    assert index in explained
    assert "Sort" not in explained


def test_next_due_is_the_earlier_deadline(alice, make_ticket):
    assert sla_columns(tier=Tier.L1, clocks=[])["next_due_at"] is None
    ticket = make_ticket(alice)
    refreshed = Ticket.objects.get(pk=ticket.pk)
    assert refreshed.response_due_at and refreshed.resolution_due_at
    assert refreshed.next_due_at == min(
        d for d in (refreshed.response_due_at, refreshed.resolution_due_at) if d
    )


def test_search_reads_the_trigram_indexes(alice, l1tech):
    TicketFactory.create_batch(3, requester=alice)
    page = queue_tickets(user=l1tech, filters={"tier": "L1", "q": "printer"})[:25]
    explained = plan(page, sort=True)
    for index in (
        "ticket_subject_upper_trgm",
        "ticket_description_upper_trgm",
        "reply_body_upper_trgm",
    ):
        assert index in explained


def test_the_ticket_row_carries_only_the_trigram_indexes_the_search_reads():
    """Every ticket UPDATE that changes an indexed column (a tier move, a breach) writes
    every index of the row: no trigram index that no query reads."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = 'tickets_ticket'::regclass AND a.amname = 'gin'"
        )
        names = {name for (name,) in cursor.fetchall()}
    assert names == {"ticket_subject_upper_trgm", "ticket_description_upper_trgm"}
