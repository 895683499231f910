"""Every list answers with a number of queries that does not depend on its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import Webhook, WebhookAttempt, WebhookDelivery
from sla.models import Agreement, Calendar, ClosedDate, Target
from tests.conftest import PNG_BYTES
from tests.factories import OrganisationFactory, UserFactory
from tickets.services import ticket_add_attachments, ticket_reply

pytestmark = pytest.mark.django_db


def _replies(ticket, staff, n):
    for i in range(n):
        ticket_reply(ticket=ticket, author=staff, body=f"reply {i}", internal=i % 2 == 0)


def _attachments(ticket, staff, n):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for start in range(0, n, 10):
        files = [
            SimpleUploadedFile(f"f{i}.png", PNG_BYTES) for i in range(start, min(n, start + 10))
        ]
        ticket_add_attachments(ticket=ticket, uploader=staff, files=files)


def _deliveries(hook, n):
    now = timezone.now()
    for i in range(n):
        delivery = WebhookDelivery.objects.create(
            webhook=hook, event="ticket.created", payload={"i": i}, created_at=now
        )
        WebhookAttempt.objects.create(delivery=delivery, number=1, started_at=now, status_code=500)


def _calendars(n):
    start = Calendar.objects.count()
    for i in range(start, start + n):
        calendar = Calendar.objects.create(name=f"cal {i}", always_open=True)
        ClosedDate.objects.create(calendar=calendar, date=f"2026-12-{i % 28 + 1:02d}")
        agreement = Agreement.objects.create(name=f"agr {i}", calendar=calendar)
        Target.objects.create(agreement=agreement, kind="resolution", priority="P1", minutes=60)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize(
    "kind", ["replies", "events", "attachments", "deliveries", "calendars", "agreements", "users"]
)
def test_list_queries_do_not_grow(api, alice, l1tech, manager, file_ticket, kind):
    ticket = file_ticket(alice)
    hook = Webhook.objects.create(url="https://example.com/h", events=["ticket.created"])
    grow = {
        "replies": lambda n: _replies(ticket, l1tech, n),
        "events": lambda n: _replies(ticket, l1tech, n),
        "attachments": lambda n: _attachments(ticket, l1tech, n),
        "deliveries": lambda n: _deliveries(hook, n),
        "calendars": _calendars,
        "agreements": _calendars,
        "users": lambda n: [UserFactory(organisation=OrganisationFactory()) for _ in range(n)],
    }[kind]
    url = {
        "replies": f"/api/v1/tickets/{ticket.pk}/replies/",
        "events": f"/api/v1/tickets/{ticket.pk}/events/",
        "attachments": f"/api/v1/tickets/{ticket.pk}/attachments/",
        "deliveries": f"/api/v1/webhooks/{hook.pk}/deliveries/",
        "calendars": "/api/v1/calendars/",
        "agreements": "/api/v1/agreements/",
        "users": "/api/v1/users/",
    }[kind]
    client = api(manager)
    client.get(url)  # the token's first use is marked once; both counts below are after it
    grow(2)
    few_queries, few_rows = count_queries(client, url)
    grow(12)
    many_queries, many_rows = count_queries(client, url)
    assert many_rows > few_rows
    assert many_queries == few_queries
