"""The queue's search reads the same tickets in the same order as its plain definition
(`queue_tickets` with `q`: the trigram match set, then the urgency order), page by page and
counted, whichever way a page is read: walking the urgency index and testing each ticket
(common words), or the match set (rare words). On PostgreSQL a common word's page and count
never touch the trigram indexes, a rare word's do."""

import importlib
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import TicketFactory
from tickets.models import Reply, Ticket
from web import paging
from web.selectors import queue_tickets

pytestmark = pytest.mark.django_db

QUEUE_VIEW = importlib.import_module("web.views.queue")
TRIGRAM_INDEXES = ("ticket_subject_upper_trgm", "ticket_description_upper_trgm")


def refs(response) -> list[str]:
    return re.findall(r'data-reference="(HD-\d+)"', response.content.decode())


def link(response, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*cursor=[^"]+)" rel="{rel}"', response.content.decode())
    return reverse("queue") + found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def desk(alice, l1tech):
    """90 L1 tickets in a mixed urgency order (breached, ties, nothing due): "printer" in a
    third of the subjects, "toner" in four descriptions, "ERR-4711" in two public replies,
    "NOTE-99" in one internal note; a few moved to L2."""
    now = timezone.now()
    made = TicketFactory.create_batch(90, requester=alice)
    for i, ticket in enumerate(made):
        due = None if i % 7 == 0 else now + timedelta(minutes=(i * 13) % 50)
        Ticket.objects.filter(pk=ticket.pk).update(
            next_due_at=due,
            sla_breached=i % 9 == 0,
            subject=f"Printer jam {i}" if i % 3 == 0 else f"Problem {i}",
            description="Out of toner." if i in (5, 40, 41, 88) else "Something is broken.",
            tier="L2" if i % 10 == 4 else "L1",
        )
    for i, body, internal in ((17, "Backup says ERR-4711", False), (70, "err-4711 again", False)):
        Reply.objects.create(ticket=made[i], author=alice, body=body, internal=internal)
    Reply.objects.create(ticket=made[33], author=l1tech, body="See NOTE-99", internal=True)
    return made


def walk_pages(client, params) -> tuple[list[str], list[str], str]:
    """Every page's references (following "next"), the last page's "prev" page and the
    first page's HTML."""
    page = client.get(reverse("queue"), params)
    first = page.content.decode()
    seen = refs(page)
    while link(page, "next"):
        page = client.get(link(page, "next"))
        seen += refs(page)
    back = refs(client.get(link(page, "prev"))) if link(page, "prev") else []
    return seen, back, first


@pytest.mark.parametrize(
    ("walk", "count_walk"),
    [(1000, 3000), (4, 6)],  # the default; a walk so short that most pages read the set
)
def test_search_pages_are_the_plain_definition(
    client, desk, l1tech, manager, monkeypatch, walk, count_walk
):
    monkeypatch.setattr(paging, "WALK", walk)
    monkeypatch.setattr(paging, "COUNT_WALK", count_walk)
    monkeypatch.setattr(QUEUE_VIEW, "PAGE_SIZE", 10)
    for user, tier in ((l1tech, "L1"), (manager, "all")):
        client.force_login(user)
        for word in ("printer", "toner", "err-4711", "NOTE-99", "no such words"):
            plain = queue_tickets(user=user, filters={"tier": tier, "q": word})
            expected = [t.reference for t in plain]
            seen, back, first = walk_pages(client, {"tier": tier, "q": word})
            assert seen == expected, (user.username, word)
            if len(expected) > 10:
                last_page = len(expected) - (len(expected) - 1) % 10 - 1
                assert back == expected[last_page - 10 : last_page], (user.username, word)
            noun = "ticket" if len(expected) == 1 else "tickets"
            assert f"{len(expected)} {noun}" in first, (user.username, word)


def test_references_and_numbers_find_their_ticket(client, desk, manager):
    client.force_login(manager)
    target = desk[50]
    for query in (target.reference, str(target.pk)):
        found = refs(client.get(reverse("queue"), {"tier": "all", "q": query}))
        assert target.reference in found  # (a number also matches subjects that contain it)
        plain = queue_tickets(user=manager, filters={"tier": "all", "q": query})
        assert found == [t.reference for t in plain]


def test_counts_stop_at_the_cap_and_saved_views_count_their_search(
    client, desk, l1tech, monkeypatch
):
    from desk.models import SavedView

    monkeypatch.setattr(QUEUE_VIEW, "COUNT_CAP", 5)
    SavedView.objects.create(user=l1tech, name="Toner", filters={"q": "toner", "tier": "L1"})
    SavedView.objects.create(user=l1tech, name="Printers", filters={"q": "printer", "tier": "L1"})
    client.force_login(l1tech)
    for walk in (3000, 7):
        monkeypatch.setattr(paging, "COUNT_WALK", walk)
        html = client.get(reverse("queue"), {"tier": "L1", "q": "printer"}).content.decode()
        assert "More than 5 tickets" in html
        toner = queue_tickets(user=l1tech, filters={"tier": "L1", "q": "toner"}).count()
        printers = queue_tickets(user=l1tech, filters={"tier": "L1", "q": "printer"}).count()
        assert re.search(rf">Toner <span class=\"count\">\({toner}\)", html)
        assert re.search(rf">Printers <span class=\"count\">\({printers}\)", html)


def test_a_search_page_costs_the_same_queries_as_a_page_without(
    client, alice, l1tech, django_assert_num_queries
):
    now = timezone.now()
    for i, ticket in enumerate(TicketFactory.create_batch(90, requester=alice)):
        subject = f"Printer {i}" if i % 3 else f"Problem {i}"
        due = now + timedelta(minutes=i)
        Ticket.objects.filter(pk=ticket.pk).update(subject=subject, next_due_at=due)
    client.force_login(l1tech)
    first = client.get(reverse("queue"), {"tier": "L1", "q": "printer", "partial": "1"})
    # session, user, count, rows (the matches among the first rows of the urgency order;
    # the next page within the same urgency group, as in test_queue_cursor)
    with django_assert_num_queries(4):
        client.get(reverse("queue"), {"tier": "L1", "q": "printer", "partial": "1"})
    with django_assert_num_queries(4):
        second = client.get(link(first, "next") + "&partial=1")
    assert len(refs(second)) == 25


# ------------------------------------------------------------------------- PostgreSQL plans


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        # Which indexes *can* serve it: on a few rows the planner would rightly scan, or
        # sort them. The ticket statistics are this desk's, not what an earlier test's
        # ANALYZE left (it writes a table's row estimate even when its transaction rolls
        # back, and a test desk of three tickets makes a sort look cheapest).
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _ticket_queries(queries) -> list[dict]:
    table = Ticket._meta.db_table
    return [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("cursor_page", [False, True])
def test_a_common_word_walks_the_urgency_index(client, desk, l1tech, monkeypatch, cursor_page):
    monkeypatch.setattr(QUEUE_VIEW, "PAGE_SIZE", 5)
    monkeypatch.setattr(QUEUE_VIEW, "COUNT_CAP", 5)
    client.force_login(l1tech)
    url = reverse("queue") + "?tier=L1&q=printer&partial=1"
    if cursor_page:
        url = link(client.get(url), "next") + "&partial=1"
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    [*pages, count] = _ticket_queries(queries)  # the count after the rows
    assert count["sql"].startswith("SELECT (SELECT ARRAY[(SELECT COUNT(*)")
    assert pages
    plans = [_explain(query["sql"]) for query in pages]
    for explained in plans:
        # The walk: the first rows of the urgency index (from the cursor), then the test.
        assert re.search(
            r"InitPlan .*\n\s+->  Limit .*\n\s+->  Index Scan using ticket_queue_(tier_)?urgency",
            explained,
        ), explained
        # No match set of the tickets' text is collected (a reply check may read the reply
        # index: on a test desk's few replies the planner hashes them once).
        assert not any(index in explained for index in TRIGRAM_INDEXES), explained
    if cursor_page:  # the first range starts at the cursor's deadline (an index bound)
        assert re.search(r"Index Cond: .*next_due_at >= ", plans[0]), plans[0]
    # The count stops in the walk (one query): more than the cap among the first rows.
    counted = _explain(count["sql"])
    assert not any(index in counted for index in TRIGRAM_INDEXES), counted


@pytest.mark.postgres
def test_a_rare_word_reads_the_trigram_indexes(client, desk, l1tech, monkeypatch):
    monkeypatch.setattr(paging, "WALK", 4)
    monkeypatch.setattr(paging, "COUNT_WALK", 4)
    client.force_login(l1tech)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("queue"), {"tier": "L1", "q": "toner", "partial": "1"})
    assert len(refs(response)) == 4
    # The walk's few hits say the word is rare: the count reads the set at once.
    [walk, matches, count] = _ticket_queries(queries)
    assert re.search(r"ticket_queue_(tier_)?urgency", _explain(walk["sql"]))
    # The set is read in two parts, each one match the trigram indexes serve (tickets whose
    # text matches, tickets with a matching reply), first ids only; their plans at a million
    # tickets are in docs/benchmarks.md (on a few rows the planner rightly takes others).
    for query in (matches, count):
        assert query["sql"].count("= ANY(ARRAY(SELECT") == 2, query["sql"]
        assert 'FROM "tickets_reply"' in query["sql"]
        assert "UNION" not in query["sql"]
