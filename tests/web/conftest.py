"""Helpers for the browser-page tests: tickets made through services, SLA clocks by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sla.models import Clock, ClockKind
from sla.services.sync import sync_ticket_sla
from tickets.services import ticket_create


def give_clock(ticket, *, due_in: timedelta, kind=ClockKind.RESPONSE, tier=None, started=None):
    """Start (or move) the ticket's clock so it is due `due_in` from now, and mirror it."""
    now = timezone.now()
    tier = "" if kind == ClockKind.RESOLUTION else (tier or ticket.tier)
    clock = Clock.objects.filter(ticket=ticket, kind=kind, tier=tier).order_by("-cycle").first()
    started = started or now - timedelta(minutes=5)
    values = {
        "started_at": started,
        "due_at": now + due_in,
        "warn_at": now + due_in * 0.8 if due_in > timedelta(0) else now + due_in,
        "target_minutes": 60,
    }
    if clock is None:
        clock = Clock.objects.create(ticket=ticket, kind=kind, tier=tier, **values)
    else:
        Clock.objects.filter(pk=clock.pk).update(
            met_at=None, breached_at=None, stopped_at=None, paused_at=None, **values
        )
        clock.refresh_from_db()
    ticket.refresh_from_db()
    sync_ticket_sla(ticket=ticket)
    ticket.refresh_from_db()
    return clock


@pytest.fixture
def make_ticket():
    def make(requester, subject="Printer on fire", **kwargs):
        kwargs.setdefault("description", "It **burns**.")
        return ticket_create(requester=requester, subject=subject, **kwargs)

    return make
