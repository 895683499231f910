"""One download helper behind the ticket page and the API: same file, same headers, same 404s."""

import inspect

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import api_key
from tickets.services import ticket_change_status, ticket_create

pytestmark = pytest.mark.django_db

SAFE = {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": 'attachment; filename="screenshot.png"',
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def test_web_and_api_serve_an_attachment_alike(client, alice, png_file):
    ticket = ticket_create(requester=alice, subject="VPN", description="d", files=[png_file()])
    other = ticket_create(requester=alice, subject="Other", description="d")
    attachment = ticket.attachments.get()
    client.force_login(alice)
    web = client.get(reverse("attachment-download", args=[ticket.reference, attachment.pk]))
    rest = api(alice).get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}/")
    for response in (web, rest):
        assert response.status_code == 200
        assert {name: response[name] for name in SAFE} == SAFE
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # Under another ticket (or a reference that is no reference) the file does not exist.
    for reference in (other.reference, "HD-٣", "nonsense"):
        url = reverse("attachment-download", args=[reference, attachment.pk])
        assert client.get(url).status_code == 404
    assert (
        api(alice).get(f"/api/v1/tickets/{other.pk}/attachments/{attachment.pk}/").status_code
        == 404
    )
    # The lower-case reference of the right ticket still works.
    lower = reverse("attachment-download", args=[ticket.reference.lower(), attachment.pk])
    assert client.get(lower).status_code == 200


def test_status_changes_take_no_reason_they_would_not_record():
    assert "reason" not in inspect.signature(ticket_change_status).parameters
