"""Ids in paths and query strings: only ASCII digits within a bigint are ids; anything else
(superscripts, other scripts' digits, 30-digit numbers) is a 404 or a clear 400, never a 500."""

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from common.ids import parse_id
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "१२", "HD-٣", "HD-²", "1²", " 1", "99999999999999999999999", "-1", "0", "+1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("000123", 123), ("9223372036854775807", 9223372036854775807)]
    + [(odd, None) for odd in ODD]
    + [("9223372036854775808", None), ("", None), (None, None), ("1.0", None)],
)
def test_parse_id_takes_ascii_digits_within_a_bigint(text, expected):
    assert parse_id(text) == expected


def test_a_reference_takes_ascii_digits_only():
    assert Ticket.id_from_reference("HD-000042") == 42
    assert Ticket.id_from_reference("HD-٤٢") is None
    assert Ticket.id_from_reference("hd-²") is None


@pytest.fixture
def ticket(alice):
    return ticket_create(requester=alice, subject="Printer on fire", description="Flames.")


@pytest.mark.parametrize("odd", ["%C2%B2", "%D9%A3", "HD-%D9%A3", "99999999999999999999999"])
def test_a_ticket_page_with_an_odd_id_is_a_404(client, alice, ticket, odd):
    client.force_login(alice)
    assert client.get(f"/tickets/{odd}/").status_code == 404
    assert client.post(f"/tickets/{odd}/reply/", {"body": "x"}).status_code == 404


def test_odd_numbers_in_page_queries_are_no_500(client, l1tech, manager, ticket):
    client.force_login(l1tech)
    for query in ["q=%C2%B2", "q=%D9%A3", "q=99999999999999999999", "organisation=%C2%B2"]:
        response = client.get(f"/queue/?{query}")
        assert response.status_code in (200, 400), query
    assert client.get("/queue/?organisation=99999999999999999999999").status_code in (200, 400)
    attachment = f"/tickets/{ticket.reference}/attachments/99999999999999999999/"
    assert client.get(attachment).status_code == 404
    client.force_login(manager)
    assert client.get("/dashboard/?organisation=99999999999999999999999").status_code in (
        200,
        400,
    )


def test_odd_numbers_in_api_queries_are_a_400(l1tech, ticket):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=l1tech, name='ids')[1]}")
    for query in ["assignee=%C2%B2", "assignee=%D9%A3", "assignee=99999999999999999999999"]:
        response = api.get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 400, (query, response.content)
    found = api.get("/api/v1/tickets/?search=%D9%A3")
    assert found.status_code == 200
    assert found.json()["count"] == 0
