"""The OpenAPI schema is complete and valid; the docs page needs no outside network."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/tickets/",
    "/api/v1/tickets/{ticket_id}/",
    "/api/v1/tickets/{ticket_id}/replies/",
    "/api/v1/tickets/{ticket_id}/assign/",
    "/api/v1/tickets/{ticket_id}/acknowledge/",
    "/api/v1/tickets/{ticket_id}/status/",
    "/api/v1/tickets/{ticket_id}/escalate/",
    "/api/v1/tickets/{ticket_id}/deescalate/",
    "/api/v1/tickets/{ticket_id}/events/",
    "/api/v1/tickets/{ticket_id}/attachments/",
    "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}/",
    "/api/v1/organisations/",
    "/api/v1/users/",
    "/api/v1/calendars/",
    "/api/v1/agreements/",
    "/api/v1/escalation-rules/",
    "/api/v1/webhooks/",
    "/api/v1/sla/dashboard/",
]


def test_schema_is_valid_and_complete(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert set(CONTRACT_PATHS) <= set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path)
            error = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    ticket = schema["components"]["schemas"]["TicketDetail"]["properties"]
    assert {"sla_status", "response_due", "resolution_due", "assignee"} <= set(ticket)
    listing = schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]
    names = {p["name"] for p in listing}
    assert {
        "status",
        "tier",
        "priority",
        "organisation",
        "assignee",
        "sla_status",
        "search",
    } <= names
    assert {"ordering", "page", "page_size"} <= names


def test_docs_use_local_assets_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [url for url in urls if not url.startswith("/api/docs/?")]
    assert assets and all(url.startswith("/static/") for url in assets), urls
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
