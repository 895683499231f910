"""The technician queue: tier scope, urgency order, filters, search, partial refresh."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Tier
from sla.models import Clock
from sla.services.marking import clock_mark_breached
from tests.factories import OrganisationFactory, UserFactory
from tests.web.conftest import give_clock
from tickets.models import Ticket
from tickets.services import ticket_assign, ticket_reply

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    """References in the order the queue shows them."""
    import re

    return re.findall(r'data-reference="(HD-\d+)"', response.content.decode())


def test_customers_cannot_open_the_queue(client, alice):
    client.force_login(alice)
    assert client.get(reverse("queue")).status_code == 403


def test_own_tier_by_default_lower_tiers_on_request(client, alice, l2tech, make_ticket):
    low = make_ticket(alice, subject="L1 thing")
    high = make_ticket(alice, subject="L2 thing")
    Ticket.objects.filter(pk=high.pk).update(tier=Tier.L2)
    client.force_login(l2tech)
    assert rows(client.get(reverse("queue"))) == [high.reference]
    assert rows(client.get(reverse("queue"), {"tier": "L1"})) == [low.reference]
    assert set(rows(client.get(reverse("queue"), {"tier": "all"}))) == {
        low.reference,
        high.reference,
    }


def test_l1_cannot_switch_to_a_higher_tier(client, alice, l1tech, make_ticket):
    high = make_ticket(alice)
    Ticket.objects.filter(pk=high.pk).update(tier=Tier.L2)
    client.force_login(l1tech)
    assert rows(client.get(reverse("queue"), {"tier": "L2"})) == []


def test_breached_first_then_nearest_due(client, alice, l1tech, make_ticket):
    later = make_ticket(alice, subject="later")
    soon = make_ticket(alice, subject="soon")
    breached = make_ticket(alice, subject="breached")
    give_clock(later, due_in=timedelta(hours=3))
    give_clock(soon, due_in=timedelta(minutes=20))
    clock = give_clock(breached, due_in=timedelta(hours=5))
    Clock.objects.filter(pk=clock.pk).update(due_at=clock.started_at)
    assert clock_mark_breached(clock_id=clock.pk)
    client.force_login(l1tech)
    response = client.get(reverse("queue"))
    assert rows(response) == [breached.reference, soon.reference, later.reference]
    html = response.content.decode()
    assert f'data-reference="{breached.reference}" data-sla="breached"' in html
    assert 'class="countdown sla-ok" data-due="' in html


def test_filters_and_search(client, alice, victor, l1tech, make_ticket):
    other_org = OrganisationFactory(name="Initech")
    carl = UserFactory(username="carl", organisation=other_org)
    mine = make_ticket(alice, subject="Printer jam")
    vip = make_ticket(victor, subject="CEO laptop")
    other = make_ticket(carl, subject="Initech server")
    ticket_assign(ticket=mine, actor=l1tech, assignee=l1tech)
    ticket_reply(ticket=other, author=carl, body="The backup job says ERR-4711")
    client.force_login(l1tech)

    def refs(**params):
        return set(rows(client.get(reverse("queue"), params)))

    assert refs(who="mine") == {mine.reference}
    assert refs(who="unassigned") == {vip.reference, other.reference}
    assert refs(vip="on") == {vip.reference}
    assert refs(organisation=other_org.pk) == {other.reference}
    assert refs(status="open") == {mine.reference}
    assert refs(q="laptop") == {vip.reference}
    assert refs(q="ERR-4711") == {other.reference}
    assert refs(q=mine.reference) == {mine.reference}
    assert refs(q=str(vip.pk)) == {vip.reference}


def test_partial_refresh_returns_only_the_rows(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    response = client.get(reverse("queue"), {"partial": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.reference in html and "<html" not in html and "<table" in html
    full = client.get(reverse("queue"))
    assert "script-src 'self'" in full["Content-Security-Policy"]
    assert "<script>" not in full.content.decode() and "style=" not in full.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow(
    client, alice, victor, l1tech, make_ticket, count, django_assert_num_queries
):
    for n in range(count):
        ticket = make_ticket(victor if n % 2 else alice, subject=f"Issue {n}")
        if n % 3 == 0:
            ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    client.force_login(l1tech)
    # session, user, count, page rows (requester, organisation, assignee joined), organisations;
    # views: saved views, last used view, every view's count (one query), tag names; the staff a
    # bulk action can assign to
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(11):
        response = client.get(reverse("queue"))
    assert len(rows(response)) == min(count, 25)
    with django_assert_num_queries(4):
        client.get(reverse("queue"), {"partial": "1", "q": "Issue"})
