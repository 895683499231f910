"""Token issue/revocation, session auth with CSRF, and throttling with Retry-After."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_hash
from tests.factories import PASSWORD
from tickets.models import Reply, Ticket

pytestmark = pytest.mark.django_db


def test_token_issue_use_and_revoke(alice):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=alice).key_hash == token_hash(token)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tickets/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not ApiToken.objects.filter(user=alice).exists()
    assert client.get("/api/v1/tickets/").status_code == 401


def test_wrong_password_and_inactive_users_get_no_token(alice):
    client = APIClient()
    wrong = client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid_credentials"
    alice.is_active = False
    alice.save()
    inactive = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert inactive.status_code == 400
    assert not ApiToken.objects.exists()


def test_session_auth_requires_csrf(alice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/v1/tickets/").status_code == 200
    refused = client.post("/api/v1/tickets/", {"subject": "s", "description": "d"}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/accounts/login/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/tickets/",
        {"subject": "s", "description": "d"},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert accepted.status_code == 201


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_token_creation_is_throttled_per_ip(alice, settings):
    _rates(settings, token_ip="3/min", token_user="100/min")
    client = APIClient()
    for n in range(3):
        client.post("/api/v1/auth/token/", {"username": f"guess{n}", "password": "x"})
    response = client.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    # Another address is not affected.
    other = APIClient(REMOTE_ADDR="10.1.2.3")
    ok = other.post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200


def test_token_creation_is_throttled_per_username_across_ips(alice, settings):
    _rates(settings, token_ip="100/min", token_user="2/min")
    for n in range(2):
        APIClient(REMOTE_ADDR=f"10.0.0.{n}").post(
            "/api/v1/auth/token/", {"username": "Alice", "password": "x"}
        )
    response = APIClient(REMOTE_ADDR="10.0.0.9").post(
        "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 429 and "Retry-After" in response


def test_forwarded_for_header_does_not_dodge_ip_limit(settings):
    _rates(settings, token_ip="2/min", token_user="100/min")
    client = APIClient()
    statuses = [
        client.post(
            "/api/v1/auth/token/",
            {"username": f"u{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_ticket_creation_is_throttled_per_user(api, alice, bob, settings):
    _rates(settings, ticket_user="2/min", ticket_ip="100/min")
    client = api(alice)
    for _ in range(2):
        assert (
            client.post("/api/v1/tickets/", {"subject": "s", "description": "d"}).status_code == 201
        )
    response = client.post("/api/v1/tickets/", {"subject": "s", "description": "d"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Ticket.objects.count() == 2
    # Reads are not throttled, and another user may still file.
    assert client.get("/api/v1/tickets/").status_code == 200
    assert (
        api(bob).post("/api/v1/tickets/", {"subject": "s", "description": "d"}).status_code == 201
    )


def test_ticket_creation_is_throttled_per_ip(api, alice, bob, settings):
    _rates(settings, ticket_user="100/min", ticket_ip="2/min")
    assert (
        api(alice).post("/api/v1/tickets/", {"subject": "s", "description": "d"}).status_code == 201
    )
    assert (
        api(bob).post("/api/v1/tickets/", {"subject": "s", "description": "d"}).status_code == 201
    )
    response = api(alice).post("/api/v1/tickets/", {"subject": "s", "description": "d"})
    assert response.status_code == 429 and "Retry-After" in response


def test_reply_creation_is_throttled_per_user(api, alice, l1tech, settings, file_ticket):
    ticket = file_ticket(alice)
    _rates(settings, reply_user="2/min")
    client = api(alice)
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    for _ in range(2):
        assert client.post(url, {"body": "Still broken."}).status_code == 201
    response = client.post(url, {"body": "Still broken."})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Reply.objects.filter(ticket=ticket).count() == 2
    # Reading the conversation is not throttled, and the technician may still answer.
    assert client.get(url).status_code == 200
    assert api(l1tech).post(url, {"body": "Looking into it."}).status_code == 201
