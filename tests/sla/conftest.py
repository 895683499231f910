"""Helpers for SLA engine tests: the Standard agreement from the data migration, Berlin time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.models import Agreement

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def standard(db):
    """The default agreement shipped by sla/0002 (Mon–Fri 08:00–18:00 Berlin, DE holidays)."""
    return Agreement.objects.select_related("calendar").get(is_default=True)


@pytest.fixture
def at():
    """Move time: `at(berlin(2026, 3, 2, 10))` freezes the clock there (stackable)."""
    travellers = []

    def move(moment: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield move
    while travellers:
        travellers.pop().stop()
