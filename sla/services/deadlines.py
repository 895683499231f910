"""Deadline arithmetic shared by the clock engine, the bulk hook and the recompute."""

from __future__ import annotations

from datetime import UTC, datetime

from tickets.models import Status

from ..models import Agreement, Clock
from ..policies import Policy


def pausing_statuses(agreement: Agreement | None) -> set[str]:
    statuses = {Status.PENDING_CUSTOMER.value}
    if agreement is not None and agreement.pause_on_hold:
        statuses.add(Status.ON_HOLD.value)
    return statuses


def deadlines(
    policy: Policy, *, started_at: datetime, minutes: int, paused_seconds: float
) -> tuple[datetime, datetime]:
    """(due_at, warn_at) of a clock, from its start, in business time."""
    calendar = policy.calendar
    seconds = minutes * 60
    due = calendar.add_business_seconds(started_at, seconds + paused_seconds)
    warn = calendar.add_business_seconds(
        started_at, seconds * policy.warning_fraction + paused_seconds
    )
    return due, warn


def iso(moment: datetime) -> str:
    """Instants in events are written in UTC, like the rest of the history."""
    return moment.astimezone(UTC).isoformat()


def is_open(clock: Clock) -> bool:
    """Still owed (running, paused or breached but not yet answered)."""
    return clock.met_at is None and clock.stopped_at is None
