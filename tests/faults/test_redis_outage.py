"""Redis (the cache behind throttles and small lookups) stopped and started by the test while
customers file tickets, reply, get tokens and sign in: nothing answers 500, nothing is lost."""

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tickets.models import Reply, Ticket

pytestmark = pytest.mark.django_db


def _token_client(user) -> APIClient:
    client = APIClient()
    _, key = api_token_create(user=user, name="outage test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _file(client, subject):
    return client.post("/api/v1/tickets/", {"subject": subject, "description": "It broke."})


def test_tickets_replies_tokens_and_sign_in_continue_through_a_redis_outage(
    redis_server, cache_on, alice, caplog
):
    cache_on(redis_server)
    alice.set_password("pw-alice-123")
    alice.save()
    client = _token_client(alice)
    assert _file(client, "before").status_code == 201

    redis_server.stop()
    with caplog.at_level(logging.WARNING):
        filed = _file(client, "during")
        token = APIClient().post(
            "/api/v1/auth/token/", {"username": "alice", "password": "pw-alice-123"}
        )
        ticket = Ticket.objects.get(subject="during")
        reply = client.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Still broken."})
        browser = Client()
        signed_in = browser.post(
            "/accounts/login/", {"username": "alice", "password": "pw-alice-123"}
        )
        web_filed = browser.post(
            "/tickets/new/",
            {
                "subject": "from the browser",
                "description": "Also broken.",
                "impact": "low",
                "urgency": "medium",
            },
        )
    assert filed.status_code == 201, filed.content
    assert token.status_code == 200, token.content
    assert reply.status_code == 201, reply.content
    assert signed_in.status_code == 302
    assert web_filed.status_code == 302
    assert "cache unavailable" in caplog.text

    redis_server.start()
    assert _file(client, "after").status_code == 201
    subjects = set(Ticket.objects.values_list("subject", flat=True))
    assert subjects == {"before", "during", "from the browser", "after"}
    assert Reply.objects.filter(ticket=ticket, body="Still broken.").count() == 1


def test_throttles_still_count_while_redis_is_down(redis_server, cache_on, alice, settings):
    """The limits fall back to a counter in the process, so an outage is no open door."""
    cache_on(redis_server)
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "ticket_user": "2/min"},
    }
    client = _token_client(alice)
    redis_server.stop()
    answers = [_file(client, f"t{n}").status_code for n in range(3)]
    assert answers == [201, 201, 429]
    assert Ticket.objects.count() == 2
