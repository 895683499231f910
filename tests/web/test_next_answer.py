"""'Next answer by' again: the customer sees when their message will be answered; staff see
the answer owed on the ticket page and in the queue; the API gives the due time."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from common.when import zoned_text
from tickets.models import Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db

# A Tuesday in office hours (the Standard calendar: Mon–Fri 08:00–18:00 Berlin).
OPENED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def waiting(alice, l1tech, make_ticket):
    """A ticket answered once by L1, then the customer wrote again: an answer is owed."""
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(alice)
    with time_machine.travel(OPENED + dt.timedelta(minutes=10), tick=False):
        ticket_reply(ticket=ticket, author=l1tech, body="Please restart it.")
    with time_machine.travel(OPENED + dt.timedelta(minutes=20), tick=False):
        ticket_reply(ticket=ticket, author=alice, body="Restarted, still burning.")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.response_due_at is None and ticket.next_response_due_at is not None
    return ticket


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_customer_sees_next_answer_by_on_ticket_page_and_list(client, alice, waiting):
    with time_machine.travel(OPENED + dt.timedelta(minutes=30), tick=False):
        detail = page(client, alice, reverse("ticket-detail", args=[waiting.reference]))
        listing = page(client, alice, reverse("home"))
    with timezone.override(alice.time_zone or "UTC"):
        due = zoned_text(waiting.next_response_due_at)
    assert "Next answer by" in detail and due in detail
    assert "Next answer by" in listing and due in listing
    assert "Next answer due" not in detail  # the staff wording stays on staff pages


def test_answered_ticket_owes_no_answer(client, alice, l1tech, waiting):
    with time_machine.travel(OPENED + dt.timedelta(minutes=40), tick=False):
        ticket_reply(ticket=waiting, author=l1tech, body="Replaced the fuser.")
        detail = page(client, alice, reverse("ticket-detail", args=[waiting.reference]))
    assert "Next answer by" not in detail


def test_staff_see_the_answer_owed_on_the_page_and_in_the_queue(client, l1tech, waiting):
    with time_machine.travel(OPENED + dt.timedelta(minutes=30), tick=False):
        detail = page(client, l1tech, reverse("ticket-detail", args=[waiting.reference]))
        queue = page(client, l1tech, reverse("queue"))
    with timezone.override(l1tech.time_zone or "UTC"):
        due = zoned_text(waiting.next_response_due_at)
    assert "Next answer due" in detail and due in detail
    assert "answer owed" in queue


def test_queue_orders_by_the_answer_owed(client, alice, l1tech, waiting, make_ticket):
    with time_machine.travel(OPENED + dt.timedelta(minutes=25), tick=False):
        later = make_ticket(alice, subject="Fresh ticket")  # response due in an hour
        html = page(client, l1tech, reverse("queue"))
    # The owed answer (P3, due in two business hours from 09:20) comes after the fresh
    # ticket's first response (due 10:25): the queue sorts by the earliest deadline.
    fresh = Ticket.objects.get(pk=later.pk)
    assert fresh.next_due_at < waiting.next_due_at
    assert html.index(fresh.reference) < html.index(waiting.reference)
    assert waiting.next_due_at == waiting.next_response_due_at
