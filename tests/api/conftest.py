"""API test helpers: clients authenticated with real tokens, tickets filed through services."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tickets.services import ticket_create


def _forget_api_cache_keys() -> None:
    """Drop throttle counters and the cached webhook list, not the whole Redis db."""
    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):
        redis = client.get_client(write=True)
        for pattern in ("*throttle_*", "*api:webhooks:*"):
            keys = list(redis.scan_iter(match=pattern))
            if keys:
                redis.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_api_cache():
    _forget_api_cache_keys()
    yield
    _forget_api_cache_keys()


@pytest.fixture
def api():
    """api(user) -> an APIClient sending that user's token; api(None) -> anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def file_ticket():
    def make(requester, **kwargs):
        kwargs.setdefault("subject", "Printer on fire")
        kwargs.setdefault("description", "Flames everywhere.")
        return ticket_create(requester=requester, **kwargs)

    return make
