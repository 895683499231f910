"""Every time a person reads carries its zone, in the reader's own time zone."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from common.when import zoned_text
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

OPENED = dt.datetime(2026, 12, 1, 13, 5, tzinfo=dt.UTC)


def _page(client, user, ticket):
    client.force_login(user)
    return client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()


def test_ticket_page_times_name_the_readers_zone(client, alice, l1tech, make_ticket):
    with time_machine.travel(OPENED, tick=False):
        ticket = make_ticket(alice)
    alice.time_zone = "Europe/Berlin"
    alice.save(update_fields=["time_zone"])
    l1tech.time_zone = "UTC"
    l1tech.save(update_fields=["time_zone"])

    berlin = _page(client, alice, ticket)
    assert '<time datetime="2026-12-01T14:05:00+01:00">1 Dec 2026, 14:05 CET</time>' in berlin
    utc = _page(client, l1tech, ticket)
    assert '<time datetime="2026-12-01T13:05:00+00:00">1 Dec 2026, 13:05 UTC</time>' in utc
    # The customer's "Next answer by" carries the zone too.
    due = Ticket.objects.get(pk=ticket.pk).response_due_at
    assert due is not None
    with timezone.override("Europe/Berlin"):
        assert zoned_text(due) in berlin


def test_portal_list_and_german_reader(client, gina, make_ticket):
    with time_machine.travel(OPENED, tick=False):
        make_ticket(gina)
    gina.time_zone, gina.language = "Europe/Berlin", "de"
    gina.save(update_fields=["time_zone", "language"])
    client.force_login(gina)
    html = client.get(reverse("home")).content.decode()
    assert "1. Dez 2026, 14:05 CET" in html


def test_summer_time_is_named_as_such():
    with timezone.override("Europe/Berlin"), translation.override("en"):
        assert zoned_text(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)) == "1 Jul 2026, 14:00 CEST"
