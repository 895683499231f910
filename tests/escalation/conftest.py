"""Escalation fixtures: a 24×7 agreement with round targets, the default rules, time helpers."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Tier
from escalation.models import EscalationRule
from sla.models import Agreement, Calendar, ClockKind, Target
from tickets.models import Priority

# Wednesday morning; the agreement counts elapsed time, so any instant works.
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RESPONSE_MINUTES = {Tier.L1: 60, Tier.L2: 120, Tier.L3: 240}
RESOLUTION_MINUTES = 1440
WARNING_PERCENT = 80

_defaults = importlib.import_module("escalation.migrations.0002_default_rules")
_next_response = importlib.import_module("escalation.migrations.0006_next_response_rules")


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture(autouse=True)
def default_rules(db):
    """The shipped rules (transactional tests flush the data migration's rows)."""
    for rule in [*_defaults.DEFAULT_RULES, *_next_response.DEFAULT_RULES]:
        EscalationRule.objects.get_or_create(name=rule["name"], defaults=rule)


@pytest.fixture
def agreement(acme):
    calendar = Calendar.objects.create(name="24x7 test", time_zone="UTC", always_open=True)
    agreement = Agreement.objects.create(
        name="Acme 24x7", organisation=acme, calendar=calendar, warning_percent=WARNING_PERCENT
    )
    rows = [
        Target(agreement=agreement, kind=ClockKind.RESPONSE, tier=t, priority=p, minutes=m)
        for t, m in RESPONSE_MINUTES.items()
        for p in Priority.values
    ]
    rows += [
        Target(
            agreement=agreement,
            kind=ClockKind.RESOLUTION,
            tier="",
            priority=p,
            minutes=RESOLUTION_MINUTES,
        )
        for p in Priority.values
    ]
    Target.objects.bulk_create(rows)
    return agreement


@pytest.fixture
def clock_at():
    """Freeze time at T0 + offset (a timedelta); returns the traveller to move on."""
    travellers = []

    def travel(offset: timedelta = timedelta(0)):
        traveller = time_machine.travel(T0 + offset, tick=False)
        traveller.start()
        travellers.append(traveller)
        return traveller

    yield travel
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def staff(l1tech, l2tech, l3tech, manager):
    return {"l1": l1tech, "l2": l2tech, "l3": l3tech, "manager": manager}
