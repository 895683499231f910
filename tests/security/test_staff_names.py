"""Customers never learn the usernames of support staff: API events, replies, web pages."""

import pytest
from django.urls import reverse

from tickets.services import ticket_assign, ticket_change_status, ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_ticket(alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    ticket_reply(ticket=ticket, author=l1tech, body="Have you tried turning it off?")
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    return ticket


def _people(payload) -> list:
    rows = payload["results"] if isinstance(payload, dict) else payload
    return [row.get("actor") or row.get("author") for row in rows]


@pytest.mark.parametrize("choice, expected", [("first_name", "Lena"), ("support", "Support")])
def test_customers_see_staff_by_display_name_in_events_and_replies(
    api, alice, l1tech, worked_ticket, settings, choice, expected
):
    settings.TIERDESK_STAFF_NAMES = choice
    l1tech.first_name, l1tech.last_name = "Lena", "Lindqvist"
    l1tech.save()
    client = api(alice)

    events = client.get(f"/api/v1/tickets/{worked_ticket.pk}/events/")
    replies = client.get(f"/api/v1/tickets/{worked_ticket.pk}/replies/")

    assert events.status_code == replies.status_code == 200
    people = [p for p in _people(events.json()) + _people(replies.json()) if p]
    staff_refs = [p for p in people if p["id"] != alice.pk]
    assert staff_refs, "the technician's actions must be listed"
    assert all(p == {"id": None, "username": None, "name": expected} for p in staff_refs)
    assert "l1tech" not in events.content.decode() + replies.content.decode()


def test_staff_without_a_first_name_are_support_to_customers(api, alice, worked_ticket):
    replies = api(alice).get(f"/api/v1/tickets/{worked_ticket.pk}/replies/").json()

    assert replies["results"][0]["author"] == {"id": None, "username": None, "name": "Support"}


def test_staff_still_see_who_did_what(api, l1tech, manager, worked_ticket):
    events = api(manager).get(f"/api/v1/tickets/{worked_ticket.pk}/events/").json()

    assert {"id": l1tech.pk, "username": "l1tech", "name": str(l1tech)} in _people(events)


def test_the_ticket_page_shows_customers_no_staff_username(client, alice, worked_ticket):
    client.force_login(alice)
    html = client.get(reverse("ticket-detail", args=[worked_ticket.reference])).content.decode()

    assert "Have you tried turning it off?" in html
    assert "l1tech" not in html
    assert "Support" in html


def test_the_ticket_page_names_staff_by_first_name_for_customers(
    client, alice, l1tech, worked_ticket
):
    l1tech.first_name = "Lena"
    l1tech.save()
    client.force_login(alice)
    html = client.get(reverse("ticket-detail", args=[worked_ticket.reference])).content.decode()

    assert "Lena (support)" in html and "l1tech" not in html
