"""The seeded demo desk reads well on every page a newcomer clicks first, for each role."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from escalation.demo import seed_desk
from escalation.demo import texts as demo_texts
from escalation.models import Escalation
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))


@pytest.fixture
def desk():
    with time_machine.travel(NOW, tick=False):
        seed_desk(120, seed=2)
    traveller = time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False)
    traveller.start()
    yield
    traveller.stop()


def _get(client, username, url):
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (username, url)
    return response.content.decode()


def test_staff_pages_of_the_seeded_desk(client, desk):
    html = _get(client, "manager", reverse("dashboard"))
    assert "Nothing to show" not in html
    escalated = Escalation.objects.filter(kind="manual").values_list("ticket_id", flat=True)
    for ticket in Ticket.objects.filter(pk__in=escalated)[:8]:
        page = _get(client, "manager", reverse("ticket-detail", args=[ticket.reference]))
        assert 'data-testid="handoff-step"' in page
        assert " UTC</time>" in page  # the manager reads UTC, labelled
    for username in ("l1tech", "jbecker", "sromano", "twagner"):
        _get(client, username, reverse("queue"))


def test_german_customer_reads_her_tickets_in_german_with_zoned_times(client, desk):
    customer = (
        User.objects.filter(language="de", requested_tickets__isnull=False)
        .order_by("username")
        .first()
    )
    assert customer is not None
    html = _get(client, customer.username, reverse("home"))
    assert "Meine Tickets" in html and " CET</time>" in html
    ticket = Ticket.objects.filter(requester=customer).order_by("-created_at").first()
    page = _get(client, customer.username, reverse("ticket-detail", args=[ticket.reference]))
    assert ticket.subject in page
    assert not any(note in page for note in demo_texts.NOTES)  # internal notes stay inside
