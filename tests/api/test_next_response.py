"""The API ticket detail gives the time the next answer is owed by."""

import datetime as dt

import pytest
import time_machine
from django.utils.dateparse import parse_datetime

from tickets.models import Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)  # a Tuesday in office hours


def test_ticket_detail_gives_next_response_due(api, alice, l1tech, file_ticket):
    with time_machine.travel(OPENED, tick=False):
        ticket = file_ticket(alice)
        ticket_reply(ticket=ticket, author=l1tech, body="Please restart it.")
    assert api(alice).get(f"/api/v1/tickets/{ticket.pk}/").json()["next_response_due"] is None
    with time_machine.travel(OPENED + dt.timedelta(minutes=20), tick=False):
        reply = api(alice).post(
            f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Still broken."}, format="json"
        )
    assert reply.status_code == 201, reply.content
    due = Ticket.objects.get(pk=ticket.pk).next_response_due_at
    assert due is not None
    for user in (alice, l1tech):
        body = api(user).get(f"/api/v1/tickets/{ticket.pk}/").json()
        assert parse_datetime(body["next_response_due"]) == due
        assert body["response_due"] is None
    schema = api(l1tech).get("/api/schema/").content.decode()
    assert "next_response_due" in schema
