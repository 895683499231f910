"""API test helpers: clients authenticated with real tokens, tickets filed through services."""

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tickets.services import ticket_create


@pytest.fixture
def api():
    """api(user) -> an APIClient sending that user's token; api(None) -> anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, key = api_token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def file_ticket():
    def make(requester, **kwargs):
        kwargs.setdefault("subject", "Printer on fire")
        kwargs.setdefault("description", "Flames everywhere.")
        return ticket_create(requester=requester, **kwargs)

    return make
