"""`Idempotency-Key` on ticket creation and replies: a client's retry creates nothing twice
(the same answer again), a reused key with another request is a 422, and racing retries
leave one ticket."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from api.models import IdempotencyKey
from tests.factories import api_key
from tickets.models import Reply, Ticket

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


BODY = {"subject": "VPN down", "description": "Since 9:00."}


def test_a_retried_ticket_creation_creates_one_ticket_and_answers_the_same(alice):
    client = _client(alice)
    first = client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    other = client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and Ticket.objects.count() == 2
    assert client.post("/api/v1/tickets/", BODY).status_code == 201  # no key: no protection
    assert Ticket.objects.count() == 3


def test_the_same_key_with_another_body_or_endpoint_is_a_422(alice):
    client = _client(alice)
    ticket_id = client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="k").json()["id"]
    changed = client.post(
        "/api/v1/tickets/", {**BODY, "subject": "Other"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"
    reply = client.post(
        f"/api/v1/tickets/{ticket_id}/replies/", {"body": "More."}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert reply.status_code == 422
    assert Ticket.objects.count() == 1 and not Reply.objects.exists()


def test_keys_belong_to_their_user(alice, bob):
    a = _client(alice).post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="shared")
    b = _client(bob).post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


def test_a_retried_reply_is_added_once(alice):
    client = _client(alice)
    ticket_id = client.post("/api/v1/tickets/", BODY).json()["id"]
    url = f"/api/v1/tickets/{ticket_id}/replies/"
    answers = [client.post(url, {"body": "Still down."}, HTTP_IDEMPOTENCY_KEY="r-1") for _ in "ab"]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Reply.objects.filter(ticket_id=ticket_id).count() == 1


def test_refused_requests_store_no_key_and_odd_keys_are_a_400(alice):
    client = _client(alice)
    bad = client.post("/api/v1/tickets/", {"subject": ""}, HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    assert client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    odd = client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="a b")
    assert odd.status_code == 400
    assert client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="x" * 256).status_code == 400


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_retries_with_one_key_make_one_ticket(alice):
    key = api_key(alice)
    answers = []
    barrier = threading.Barrier(4)

    def retry():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        answers.append(client.post("/api/v1/tickets/", BODY, HTTP_IDEMPOTENCY_KEY="race"))
        connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert Ticket.objects.count() == 1
