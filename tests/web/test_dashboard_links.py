"""Every dashboard figure links to the queue filtered to exactly the tickets behind it."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind
from reports.services import rollups_rebuild
from tests.factories import TicketFactory
from tests.web.test_dashboard import clock
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<a (?:class="bar-value" )?href="(/queue/\?[^"]+)"[^>]*>(\d+)</a>')
# session, user, the queue (count, page), its views, organisations, staff, saved views...
QUEUE_QUERIES_MAX = 20


@pytest.fixture
def desk(alice, l1tech, l2tech):
    """One response clock per ticket, so every figure counts tickets."""
    now = timezone.now()
    made = []
    for n, (tier, outcome, priority) in enumerate(
        [
            ("L1", "met", "P3"),
            ("L1", "met", "P2"),
            ("L1", "breached", "P3"),
            ("L1", "unanswered", "P1"),
            ("L2", "met", "P1"),
            ("L2", "unanswered", "P4"),
            ("L3", "breached", "P2"),
        ]
    ):
        ticket = TicketFactory(
            requester=alice,
            tier=tier,
            priority=priority,
            assignee=l1tech if tier == "L1" else l2tech,
            sla_breached=outcome != "met",
        )
        clock(
            ticket,
            tier=tier,
            minutes=20 + n,
            outcome=outcome,
            started=now - timedelta(days=n % 3, hours=2),
        )
        TicketEvent.objects.create(
            ticket=ticket, kind=EventKind.CREATED, after={"tier": "L1"}, created_at=now
        )
        made.append(ticket)
    Escalation.objects.create(
        ticket=made[4],
        from_tier=Tier.L1,
        to_tier=Tier.L2,
        kind=EscalationKind.MANUAL,
        created_at=now,
    )
    for ticket, rating in ((made[0], 5), (made[4], 2)):
        ticket.status, ticket.resolved_at, ticket.satisfaction_rating = "resolved", now, rating
        ticket.save()
    return made


@pytest.mark.parametrize("rolled_up", [False, True])
def test_each_number_opens_the_queue_with_that_many_tickets(
    client, manager, desk, rolled_up, django_assert_max_num_queries
):
    if rolled_up:
        rollups_rebuild()
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    links = [(html.unescape(href), int(n)) for href, n in LINK.findall(page)]
    assert len(links) >= 40  # every count of every table, and one per day of the chart
    keys = {key for href, _n in links for key in parse_qs(urlsplit(href).query)}
    assert {"clock", "clock_tier", "outcome", "breached_on", "entered", "escalated_from"} <= keys
    assert {"rated", "age", "assignee", "overdue", "priority"} <= keys
    nonzero = 0
    for href, expected in links:
        with django_assert_max_num_queries(QUEUE_QUERIES_MAX):
            response = client.get(href)
        assert response.status_code == 200, href
        listed = response.content.decode().count('data-reference="HD-')
        assert listed == expected, (href, listed, expected)
        nonzero += bool(expected)
    assert nonzero >= 20


def test_a_breached_day_lists_its_breaches_and_the_first_response_its_answers(
    client, manager, desk
):
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    response = client.get(reverse("queue"), {"status": "all", "breached_on": today})
    breached = [t for t in desk if t.sla_breached and t.clocks.first().breached_at]
    day_breached = [
        t for t in breached if timezone.localdate(t.clocks.first().breached_at).isoformat() == today
    ]
    assert response.content.decode().count('data-reference="HD-') == len(day_breached)
    answered = client.get(
        reverse("queue"),
        {"status": "all", "clock_tier": "L1", "outcome": "answered", "from": "2026-01-01"},
    ).content.decode()
    # L1: two met on time and one answered late; the unanswered breach is not an answer.
    assert answered.count('data-reference="HD-') == 3
    assert desk[3].reference not in answered
    assert "Showing the tickets behind a dashboard figure" in answered
    assert "Outcome: Answered" in answered and "Clock tier: Level 1" in answered


@pytest.mark.parametrize(
    "query",
    [
        {"outcome": "sometimes"},
        {"from": "2026-13-01"},
        {"from": "0001-01-01"},
        {"from": "2026-05-02", "to": "2026-05-01"},
        {"breached_on": "yesterday"},
        {"clock": "nap"},
        {"assignee": "nobody-here"},
        {"age": "ancient"},
        {"escalated_from": "L3"},
    ],
)
def test_bad_figure_filters_are_a_400_with_the_reason(client, manager, desk, query):
    client.force_login(manager)
    response = client.get(reverse("queue"), query)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


def test_figure_filters_stay_inside_the_queue_scope(client, l1tech, desk):
    """An L1 technician following an L2/L3 link sees none of the tickets above their tier."""
    client.force_login(l1tech)
    response = client.get(reverse("queue"), {"status": "all", "clock_tier": "L3", "tier": "all"})
    assert response.status_code == 200
    assert desk[6].reference not in response.content.decode()


def test_the_figure_filter_reads_in_german(client, manager, desk):
    manager.language = "de"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = client.get(
        reverse("queue"), {"status": "all", "age": "age_under_1d", "overdue": "on"}
    ).content.decode()
    assert "Die Tickets hinter einer Kennzahl des Dashboards" in page
    assert "Alter: &lt; 1 Tag" in page
