"""The queue pages by cursor in urgency order: complete under inserts, the same cost on any
page, counts bounded ("More than 500"), the view counts bounded too; deep pages read the
urgency index."""

import re
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TicketFactory
from tickets.models import Ticket
from web.selectors import queue_tickets

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    return re.findall(r'data-reference="(HD-\d+)"', response.content.decode())


def link(response, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*cursor=[^"]+)" rel="{rel}"', response.content.decode())
    return reverse("queue") + found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def many(alice):
    """60 L1 tickets: some breached, deadlines with ties, some with nothing due."""
    now = timezone.now()
    made = TicketFactory.create_batch(60, requester=alice)
    for i, ticket in enumerate(made):
        due = None if i % 7 == 0 else now + timedelta(minutes=(i % 10) * 5)
        Ticket.objects.filter(pk=ticket.pk).update(next_due_at=due, sla_breached=i % 9 == 0)
    return made


def expected_order(user, filters) -> list[str]:
    return [t.reference for t in queue_tickets(user=user, filters=filters)]


def test_next_and_previous_walk_the_queue_in_urgency_order(client, l1tech, many):
    client.force_login(l1tech)
    response = client.get(reverse("queue"), {"tier": "L1"})
    pages = [response]
    while link(pages[-1], "next"):
        pages.append(client.get(link(pages[-1], "next")))
    seen = [ref for page in pages for ref in refs(page)]
    assert len(pages) == 3
    assert seen == expected_order(l1tech, {"tier": "L1"})
    back = client.get(link(pages[-1], "prev"))
    assert refs(back) == seen[25:50]
    assert (
        "More than" not in response.content.decode() and "60 tickets" in response.content.decode()
    )


def test_a_ticket_filed_while_paging_is_neither_repeated_nor_skipping_others(
    client, alice, l1tech, many
):
    client.force_login(l1tech)
    first = client.get(reverse("queue"), {"tier": "L1"})
    urgent = TicketFactory(requester=alice)
    Ticket.objects.filter(pk=urgent.pk).update(sla_breached=True, next_due_at=timezone.now())
    seen = refs(first)
    page = first
    while link(page, "next"):
        page = client.get(link(page, "next"))
        seen += refs(page)
    assert len(seen) == len(set(seen)) == 60
    assert urgent.reference not in seen  # it sorts before the pages already read


def test_a_cursor_page_costs_the_first_pages_queries(
    client, l1tech, many, django_assert_num_queries
):
    client.force_login(l1tech)
    first = client.get(reverse("queue"), {"tier": "L1", "partial": "1"})
    # session, user, bounded count, rows (the page within one urgency group)
    with django_assert_num_queries(4):
        client.get(reverse("queue"), {"tier": "L1", "partial": "1"})
    with django_assert_num_queries(4):
        client.get(link(first, "next") + "&partial=1")


def test_counts_stop_at_the_cap(client, l1tech, many, monkeypatch):
    monkeypatch.setattr(sys.modules["web.views.queue"], "COUNT_CAP", 50)
    monkeypatch.setattr(sys.modules["web.views.queue_views"], "VIEW_COUNT_CAP", 10)
    client.force_login(l1tech)
    html = client.get(reverse("queue"), {"tier": "L1"}).content.decode()
    assert "More than 50 tickets" in html
    assert re.search(r'data-view="unassigned"[^>]*>[^<]*<span class="count">\(10\+\)', html)


def test_a_stale_cursor_opens_the_first_page(client, l1tech, many):
    client.force_login(l1tech)
    response = client.get(reverse("queue"), {"tier": "L1", "cursor": "garbage"})
    assert response.status_code == 200
    assert refs(response) == expected_order(l1tech, {"tier": "L1"})[:25]


@pytest.mark.postgres
@pytest.mark.parametrize(("user_fixture", "tier"), [("l1tech", "L1"), ("manager", "all")])
def test_a_deep_queue_page_reads_the_urgency_index(request, client, many, user_fixture, tier):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    first = client.get(reverse("queue"), {"tier": tier, "partial": "1"})
    with CaptureQueriesContext(connection) as queries:
        client.get(link(first, "next") + "&partial=1")
    table = Ticket._meta.db_table
    pages = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and f'FROM "{table}"' in q["sql"]
        and "ORDER BY" in q["sql"]
    ]
    assert pages
    for sql in pages:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
            explained = "\n".join(row[0] for row in cursor.fetchall())
        # Either urgency index (on a few rows the planner may take the all-tiers one), and
        # the page starts at the cursor's deadline (an index bound), not at the top.
        assert re.search(r"Index Scan using ticket_queue_(tier_)?urgency", explained), explained
        assert re.search(r"Index Cond: .*next_due_at >= ", explained), explained
        assert "Sort" not in explained, explained
