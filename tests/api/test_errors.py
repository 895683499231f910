"""Every 4xx has one shape: {"code", "detail", "fields"?}."""

import json

import pytest
from django.utils import timezone

from tickets.models import Status

pytestmark = pytest.mark.django_db


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) <= {"code", "detail", "fields"}
    assert isinstance(body["code"], str) and isinstance(body["detail"], str)
    if code:
        assert body["code"] == code
    return body


def test_unknown_filter_and_ordering_are_400(api, alice):
    client = api(alice)
    body = assert_error(client.get("/api/v1/tickets/", {"stauts": "open"}), 400)
    assert body["fields"] == {"stauts": ["Unknown query parameter."]}
    body = assert_error(client.get("/api/v1/tickets/", {"ordering": "subject"}), 400)
    assert "ordering" in body["fields"]
    assert_error(client.get("/api/v1/tickets/", {"status": "bogus"}), 400)
    assert_error(client.get("/api/v1/tickets/", {"search": "a\x00b"}), 400)


def test_malformed_json_is_400(api, alice):
    response = api(alice).post(
        "/api/v1/tickets/", data='{"subject": "x", ', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_nul_bytes_are_400(api, alice, file_ticket):
    client = api(alice)
    response = client.post(
        "/api/v1/tickets/",
        data=json.dumps({"subject": "x\u0000y", "description": "d"}),
        content_type="application/json",
    )
    assert "subject" in assert_error(response, 400)["fields"]
    ticket = file_ticket(alice)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "\x00"})
    assert "body" in assert_error(response, 400)["fields"]


def test_over_long_fields_are_400(api, alice):
    response = api(alice).post("/api/v1/tickets/", {"subject": "x" * 201, "description": "d"})
    body = assert_error(response, 400, "max_length")
    assert list(body["fields"]) == ["subject"]


def test_too_large_body_is_400(api, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(alice).post("/api/v1/tickets/", {"subject": "x", "description": "d" * 5000})
    assert_error(response, 400)


def test_unsupported_media_type_is_415(api, alice, file_ticket):
    client = api(alice)
    response = client.post("/api/v1/tickets/", data="subject=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")
    ticket = file_ticket(alice)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/attachments/", {"files": "x"})
    assert_error(response, 415)


def test_not_found_shapes(api, alice, gina, file_ticket):
    ginas = file_ticket(gina)
    client = api(alice)
    # Another customer's ticket is indistinguishable from a missing one.
    other = assert_error(client.get(f"/api/v1/tickets/{ginas.pk}/"), 404, "not_found")
    missing = assert_error(client.get("/api/v1/tickets/999999/"), 404, "not_found")
    assert other == missing
    assert_error(client.post(f"/api/v1/tickets/{ginas.pk}/replies/", {"body": "hi"}), 404)
    assert_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error(client.get("/api/v1/tickets/99999999999999999999999/"), 404)
    assert_error(client.get("/api/v1/tickets/", {"page": 99}), 404)


def test_method_not_allowed_is_405(api, alice, file_ticket):
    ticket = file_ticket(alice)
    assert_error(api(alice).delete(f"/api/v1/tickets/{ticket.pk}/"), 405, "method_not_allowed")
    assert_error(api(alice).put("/api/v1/tickets/", {}), 405)


def test_illegal_status_move_is_409(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    body = assert_error(
        api(l1tech).post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "new"}),
        409,
        "invalid_transition",
    )
    assert "cannot go from" in body["detail"]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_customer_reopen_window_is_409(api, alice, l1tech, file_ticket, settings):
    from tickets.services import ticket_change_status

    ticket = file_ticket(alice)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    import time_machine

    later = timezone.now() + timezone.timedelta(days=settings.TIERDESK_REOPEN_DAYS + 1)
    with time_machine.travel(later):
        response = api(alice).post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "open"})
    assert_error(response, 409, "invalid_transition")


def test_unauthenticated_is_401_with_the_same_shape(api):
    response = api(None).get("/api/v1/tickets/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    bad = api(None)
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(bad.get("/api/v1/tickets/"), 401, "authentication_failed")
