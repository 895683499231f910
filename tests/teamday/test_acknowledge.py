"""Acknowledging meets the response target only with a public message to the customer."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sla.models import Agreement, Clock, ClockKind
from tickets.models import Reply
from tickets.services import ticket_acknowledge, ticket_create

pytestmark = pytest.mark.django_db


def response_clock(ticket):
    return Clock.objects.filter(ticket=ticket, kind=ClockKind.RESPONSE).latest("cycle")


@pytest.fixture
def ticket(alice):
    return ticket_create(requester=alice, subject="Laptop slow", description="Since Monday.")


def test_acknowledge_without_a_message_leaves_the_clock_running(ticket, l1tech):
    ticket_acknowledge(ticket=ticket, actor=l1tech)
    clock = response_clock(ticket)
    assert clock.met_at is None and clock.stopped_at is None
    ticket.refresh_from_db()
    assert ticket.response_due_at is not None and ticket.first_response_at is None
    assert not Reply.objects.exists()


def test_acknowledge_with_a_message_meets_it_and_the_customer_reads_it(ticket, l1tech, client):
    ticket_acknowledge(ticket=ticket, actor=l1tech, message="We are on it, Alice.")
    assert response_clock(ticket).met_at is not None
    reply = Reply.objects.get()
    assert (reply.author, reply.internal, reply.body) == (l1tech, False, "We are on it, Alice.")
    client.force_login(ticket.requester)
    assert "We are on it, Alice." in client.get(f"/tickets/{ticket.reference}/").content.decode()


def test_an_agreement_may_allow_silent_acknowledgement(ticket, l1tech):
    Agreement.objects.filter(is_default=True).update(acknowledge_needs_message=False)
    ticket_acknowledge(ticket=ticket, actor=l1tech)
    assert response_clock(ticket).met_at is not None
    assert not Reply.objects.exists()


def test_page_offers_an_editable_default_message(client, ticket, l1tech):
    client.force_login(l1tech)
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    form = html[html.index('data-testid="acknowledge-form"') :]
    assert "we have received your request" in form[: form.index("</form>")]
    response = client.post(
        reverse("ticket-acknowledge", args=[ticket.reference]), {"message": "Looking now."}
    )
    assert response.status_code == 302
    assert Reply.objects.get().body == "Looking now."
    assert response_clock(ticket).met_at is not None


def test_api_acknowledge_with_message_and_bad_input(ticket, l1tech):
    api = APIClient()
    api.force_authenticate(l1tech)
    url = f"/api/v1/tickets/{ticket.pk}/acknowledge/"
    assert api.post(url, {"message": "x\x00y"}, format="json").status_code == 400
    assert response_clock(ticket).met_at is None and not Reply.objects.exists()
    assert api.post(url, {}, format="json").status_code == 200
    assert response_clock(ticket).met_at is None
    assert api.post(url, {"message": "Hello!"}, format="json").status_code == 200
    assert response_clock(ticket).met_at is not None
