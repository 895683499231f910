"""The ticket list pages by cursor: complete and stable under inserts and ties, flat in cost,
scoped like every read; page numbers still answer for old clients."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tier
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def walk(client, params, *, limit=50):
    """Every page from the first by `next`; (ids in order, pages)."""
    pages = [client.get(URL, params).json()]
    while pages[-1]["next"] and len(pages) < limit:
        pages.append(client.get(pages[-1]["next"]).json())
    return [row["id"] for page in pages for row in page["results"]], pages


def walk_back(client, page, *, limit=50):
    ids = []
    while page["previous"] and limit:
        page = client.get(page["previous"]).json()
        ids = [row["id"] for row in page["results"]] + ids
        limit -= 1
    return ids


@pytest.fixture
def tickets(alice):
    now = timezone.now()
    made = []
    # Ties on purpose: pairs filed at the same instant, some without a response deadline.
    for i in range(11):
        with time_machine.travel(now - timedelta(minutes=i // 2), tick=False):
            made.append(TicketFactory(requester=alice, subject=f"T{i}"))
    Ticket.objects.filter(pk__in=[t.pk for t in made[::3]]).update(response_due_at=None)
    Ticket.objects.filter(pk__in=[t.pk for t in made[1::3]]).update(
        response_due_at=now + timedelta(hours=1)
    )
    return made


@pytest.mark.parametrize(
    ("ordering", "order_by"),
    [
        (None, ("-created_at", "-id")),
        ("created", ("created_at", "id")),
        ("-response_due", ("-response_due_at", "-id")),
        ("response_due,-id", ("response_due_at", "-id")),
        ("priority,-created", ("priority", "-created_at", "-id")),
    ],
)
def test_pages_walk_the_whole_list_both_ways(api, alice, tickets, ordering, order_by):
    client = api(alice)
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}
    ids, pages = walk(client, params)
    expected = list(
        Ticket.objects.filter(requester=alice).order_by(*order_by).values_list("id", flat=True)
    )
    if ordering and "response_due" in ordering:
        # NULLs as PostgreSQL sorts them, on every database: last ascending, first descending.
        nulls = [t for t in expected if Ticket.objects.get(pk=t).response_due_at is None]
        rest = [t for t in expected if t not in nulls]
        rest.sort(key=lambda t: expected.index(t))
        expected = nulls + rest if ordering.startswith("-") else rest + nulls
    assert ids == expected
    assert len(set(ids)) == len(tickets)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert all(page["count"] == len(tickets) and page["count_exact"] for page in pages)
    assert walk_back(client, pages[-1]) == ids[: -len(pages[-1]["results"])]


def test_inserts_while_paging_neither_repeat_nor_skip(api, alice, tickets):
    client = api(alice)
    first = client.get(URL, {"page_size": 4}).json()
    seen = [row["id"] for row in first["results"]]
    newer = TicketFactory(requester=alice, subject="Filed meanwhile")  # sorts before the cursor
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert newer.pk not in seen
    assert sorted(seen) == sorted(t.pk for t in tickets)
    assert len(seen) == len(set(seen))


def test_only_the_first_page_counts(api, alice, tickets):
    client = api(alice)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(URL, {"page_size": 3}).json()
    with CaptureQueriesContext(connection) as next_queries:
        second = client.get(first["next"]).json()
    counts = [q for q in first_queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert not [q for q in next_queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert second["count"] == first["count"] == len(tickets)


def test_cursor_pages_cost_the_same_deep_as_shallow(api, alice, tickets):
    client = api(alice)
    _ids, pages = walk(client, {"page_size": 2})
    sizes = []
    for page in pages[1:-1]:
        with CaptureQueriesContext(connection) as queries:
            client.get(page["next"])
        sizes.append(len(queries))
    assert len(set(sizes)) == 1, sizes


def test_scoped_like_the_ui(api, alice, bob, gina, l1tech, tickets):
    TicketFactory(requester=gina, subject="Globex")
    l3 = TicketFactory(requester=bob, subject="At L3", tier=Tier.L3)
    ids, _pages = walk(api(alice), {"page_size": 4})
    assert sorted(ids) == sorted(t.pk for t in tickets)
    assert walk(api(gina), {"page_size": 4})[0] == [Ticket.objects.get(subject="Globex").pk]
    assert l3.pk not in walk(api(l1tech), {"page_size": 4})[0]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJvIjoiLWlkIn0", "e30"])
def test_a_foreign_or_broken_cursor_is_a_clear_400(api, alice, tickets, cursor):
    response = api(alice).get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["code"]


def test_a_cursor_of_another_order_is_refused(api, alice, tickets):
    client = api(alice)
    first = client.get(URL, {"page_size": 3}).json()
    cursor = re.search(r"cursor=([^&]+)", first["next"]).group(1)
    response = client.get(URL, {"cursor": cursor, "ordering": "priority"})
    assert response.status_code == 400


def test_page_numbers_still_answer(api, alice, tickets):
    client = api(alice)
    body = client.get(URL, {"page": 2, "page_size": 5}).json()
    assert body["count"] == len(tickets) and body["count_exact"] is True
    assert len(body["results"]) == 5 and "page=3" in body["next"]


def test_schema_documents_cursor_and_deprecated_page(api, manager):
    schema = api(manager).get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}
    assert "cursor" in parameters and parameters["page"].get("deprecated") is True


def _ticket_selects(queries):
    table = Ticket._meta.db_table
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("user_fixture", ["manager", "l1tech", "alice"])
def test_first_and_deep_pages_read_an_index(request, api, alice, tickets, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client = api(user)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(URL, {"page_size": 2}).json()
    _ids, pages = walk(client, {"page_size": 2})
    with CaptureQueriesContext(connection) as deep_queries:
        client.get(pages[-2]["next"])
    assert first["results"]
    for sql in _ticket_selects(first_queries.captured_queries) + _ticket_selects(
        deep_queries.captured_queries
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
            explained = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan on tickets_ticket" not in explained, explained
        assert re.search(r"Index (Only )?Scan", explained), explained
        if user.is_support_staff:
            # Staff scopes are large: read in index order. A customer's own tickets are
            # few, found by the requester and organisation indexes and then sorted.
            assert not re.search(r"(?<!Incremental )Sort  ", explained), explained


def test_the_first_page_count_stops_at_its_cap_and_the_pages_go_on(api, alice, tickets, settings):
    settings.TIERDESK_API_CURSOR_COUNT_CAP = 4
    ids, pages = walk(api(alice), {"page_size": 3})
    assert pages[0]["count"] == 4 and pages[0]["count_exact"] is False
    assert len(ids) == len(tickets)  # the cap bounds the count, never the list


@pytest.mark.postgres
@pytest.mark.parametrize("user_fixture", ["manager", "l1tech"])
def test_the_default_order_is_read_from_one_index_even_when_every_ticket_shares_its_time(
    request, api, alice, user_fixture
):
    """Tickets filed at one instant (an import, a generated load) tie on `created_at`: an
    index on that column alone leaves `id` to an (incremental) sort of every tied row, which
    at a million tickets is the whole table. (created_at, id) gives the page in order."""
    with time_machine.travel(timezone.now(), tick=False):
        TicketFactory.create_batch(4, requester=alice)
    user = request.getfixturevalue(user_fixture)
    with CaptureQueriesContext(connection) as queries:
        assert api(user).get(URL, {"page_size": 2}).json()["results"]
    (sql,) = [q for q in _ticket_selects(queries.captured_queries) if "ORDER BY" in q]
    with connection.cursor() as cursor:
        # Whether an index *can* give the page in order: on four rows a sort is cheapest, so
        # it is priced out (the planner still sorts when no index serves the order).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute(f"EXPLAIN {sql}")
        explained = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_created_id" in explained, explained
    assert "Sort" not in explained, explained
