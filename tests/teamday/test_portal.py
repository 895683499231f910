"""The customer portal: a rating scale that says what each number means, reopening asks why."""

import pytest
from django.urls import reverse

from tickets.models import Reply, Status
from tickets.services import ticket_change_status, ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(alice, l1tech):
    ticket = ticket_create(requester=alice, subject="Scanner", description="Blank pages.")
    ticket_reply(ticket=ticket, author=l1tech, body="Fixed the driver.")
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    return ticket


def test_rating_scale_names_each_number(client, alice, resolved):
    client.force_login(alice)
    html = client.get(reverse("ticket-detail", args=[resolved.reference])).content.decode()
    assert "5 – very satisfied" in html and "1 – very dissatisfied" in html
    assert "3 – neither satisfied nor dissatisfied" in html


def test_reopening_asks_why_and_the_reason_reaches_the_team(client, alice, resolved):
    client.force_login(alice)
    url = reverse("ticket-reopen", args=[resolved.reference])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Tell us what is still not working." in refused.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert client.post(url, {"reason": "Still blank on page 2."}).status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.OPEN
    reply = Reply.objects.filter(ticket=resolved).latest("created_at")
    assert (reply.author, reply.internal, reply.body) == (alice, False, "Still blank on page 2.")
    # Reopening an open ticket again is a clear 409, nothing written.
    assert client.post(url, {"reason": "Again"}).status_code == 409
    assert Reply.objects.filter(ticket=resolved).count() == 2


def test_others_cannot_reopen(client, bob, resolved):
    client.force_login(bob)
    url = reverse("ticket-reopen", args=[resolved.reference])
    assert client.post(url, {"reason": "Not mine"}).status_code == 404


def test_my_tickets_search_and_open_closed_filter(
    client, alice, l1tech, resolved, django_assert_num_queries
):
    printer = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    ticket_reply(ticket=printer, author=l1tech, body="secret-word in a note", internal=True)
    ticket_reply(ticket=printer, author=l1tech, body="Please try tray 1.")
    client.force_login(alice)
    home = reverse("home")
    client.get(home)
    with django_assert_num_queries(5):  # + the header's unread count
        html = client.get(home, {"q": "tray 1"}).content.decode()
    assert printer.reference in html and resolved.reference not in html
    # Internal notes are never searched for customers.
    html = client.get(home, {"q": "secret-word"}).content.decode()
    assert printer.reference not in html and 'data-testid="no-match"' in html
    html = client.get(home, {"state": "closed"}).content.decode()
    assert resolved.reference in html and printer.reference not in html
    html = client.get(home, {"state": "open"}).content.decode()
    assert printer.reference in html and resolved.reference not in html
    assert client.get(home, {"q": resolved.reference}).content.decode().count("HD-") >= 1
    # Bad filter input is ignored, never a 500.
    assert client.get(home, {"state": "bogus", "q": "x" * 500}).status_code == 200


def test_times_on_my_tickets_carry_their_zone(client, alice, resolved):
    alice.time_zone = "Europe/Berlin"
    alice.save()
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "CET" in html or "CEST" in html
