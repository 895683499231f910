"""JSON bodies nested absurdly deep or too large are a 400/413 before they are parsed, on
every JSON endpoint, signed in or not: never a RecursionError and a 500."""

import pytest
from rest_framework.test import APIClient

from api.v1.parsers import MAX_DEPTH, json_depth
from tests.factories import api_key
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

DEEP = b"[" * 100_000 + b"]" * 100_000


def _post(client, path, body: bytes):
    return client.generic("POST", path, body, content_type="application/json")


def test_deep_json_is_a_400_without_signing_in():
    response = _post(APIClient(), "/api/v1/auth/token/", DEEP)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    objects = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    assert _post(APIClient(), "/api/v1/auth/token/", objects).status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/tickets/", "/api/v1/webhooks/", "/api/v1/calendars/"])
def test_deep_json_is_a_400_for_a_signed_in_user(manager, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(manager)}")
    assert _post(client, path, DEEP).status_code == 400
    assert not Ticket.objects.exists()


def test_brackets_inside_strings_do_not_count_and_normal_bodies_pass(alice):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice)}")
    subject = '[[[[{{{{ "quoted \\" [[[[' * 3
    response = client.post("/api/v1/tickets/", {"subject": subject, "description": "[" * 5000})
    assert response.status_code == 201, response.content
    assert json_depth(b'{"a": [1, {"b": "]]]]"}]}') == 3
    assert json_depth(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == MAX_DEPTH


def test_a_body_above_the_upload_limit_is_refused(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(alice)}")
    body = b'{"subject": "big", "description": "' + b"x" * 2000 + b'"}'
    response = _post(client, "/api/v1/tickets/", body)
    assert response.status_code in (400, 413), response.content
    assert not Ticket.objects.exists()
