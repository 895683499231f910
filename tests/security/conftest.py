"""Security tests reuse the API helpers (token clients, tickets filed through services)."""

from tests.api.conftest import api, file_ticket  # noqa: F401
