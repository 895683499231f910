"""The clock engine: ticket changes (via tickets.signals) → clock rows, events, ticket columns.

Rules (what the dashboard and the sweep rely on):

* A clock's `due_at`/`warn_at` are always `started_at` + target (+ warning share)
  + the business time it spent paused, computed with the agreement's calendar.
  A start outside working hours counts from the next opening.
* `met_at` is set only when the clock is met within its target, so
  "met within target" is `met_at IS NOT NULL` and "breached" is
  `breached_at IS NOT NULL`; never both. Work that arrives after the deadline
  ends the clock with `stopped_at` (event `clock_met` with `late: true`); if the
  sweep had not marked the breach yet, it is recorded then, at `due_at`.
* `stopped_at` ends a clock that is no longer owed: the ticket left the tier, was
  resolved or closed, or was answered late.
* Handlers lock the ticket's clock rows (`select_for_update`), so a reply and
  the escalation sweep's conditional update never both win.
* Every handler issues a fixed number of queries, whatever the ticket's history.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from accounts.models import Tier
from tickets.models import EventKind, Status
from tickets.permissions import can_work

from ..models import Clock, ClockKind, ClockPause
from ..policies import Policy, applicable_agreement, policy_for
from .clock_events import record, record_all
from .deadlines import deadlines, is_open, iso, pausing_statuses
from .sync import sync_ticket_sla

if TYPE_CHECKING:
    from tickets.models import Reply, Ticket

logger = logging.getLogger(__name__)

_SAVED = [
    "target_minutes",
    "due_at",
    "warn_at",
    "met_at",
    "breached_at",
    "paused_at",
    "paused_seconds",
    "stopped_at",
]


# --------------------------------------------------------------------------- helpers


def _load(ticket: Ticket) -> list[Clock]:
    return list(
        Clock.objects.filter(ticket_id=ticket.pk)
        .select_related("agreement__calendar")
        .select_for_update(of=("self",))
        .order_by("started_at", "id")
    )


def _ticket_policy(ticket: Ticket, clocks: list[Clock]) -> Policy | None:
    """The agreement already applied to the ticket (stored on its clocks), else the applicable."""
    for clock in reversed(clocks):
        if clock.agreement is not None:
            return policy_for(clock.agreement)
    agreement = applicable_agreement(ticket.organisation_id)
    return policy_for(agreement) if agreement is not None else None


def _clock_policy(clock: Clock, fallback: Policy) -> Policy:
    return policy_for(clock.agreement) if clock.agreement is not None else fallback


def _new_clock(
    *, ticket: Ticket, policy: Policy, kind: str, tier: str, cycle: int, now: datetime
) -> Clock | None:
    tier = tier if kind == ClockKind.RESPONSE else ""
    minutes = policy.minutes(kind=kind, tier=tier, priority=ticket.priority, vip=ticket.is_vip)
    if minutes is None:
        # Validation keeps tables complete; a hand-edited gap must not break ticket writes.
        logger.warning("agreement %s has no %s target for %s", policy.agreement.pk, kind, tier)
        return None
    due, warn = deadlines(policy, started_at=now, minutes=minutes, paused_seconds=0)
    return Clock(
        ticket=ticket,
        kind=kind,
        tier=tier,
        cycle=cycle,
        agreement=policy.agreement,
        target_minutes=minutes,
        started_at=now,
        due_at=due,
        warn_at=warn,
    )


def _start(
    *, ticket: Ticket, policy: Policy, specs: list[tuple[str, str, int]], now: datetime, **extra
) -> list[Clock]:
    """Create clocks (kind, tier, cycle), paused at once if the ticket waits on the customer."""
    built = [
        _new_clock(ticket=ticket, policy=policy, kind=kind, tier=tier, cycle=cycle, now=now)
        for kind, tier, cycle in specs
    ]
    clocks = [c for c in built if c is not None]
    paused = ticket.status in pausing_statuses(policy.agreement)
    for clock in clocks:
        clock.paused_at = now if paused else None
    Clock.objects.bulk_create(clocks)
    if paused:
        ClockPause.objects.bulk_create([ClockPause(clock=c, started_at=now) for c in clocks])
    record_all(ticket, [(EventKind.CLOCK_STARTED, clock, extra) for clock in clocks])
    return clocks


def _end_pause(clock: Clock, policy: Policy, now: datetime) -> float:
    """Close the open pause: add its business time and move the deadlines by it."""
    assert clock.paused_at is not None
    seconds = policy.calendar.business_seconds_between(clock.paused_at, now)
    ClockPause.objects.filter(clock_id=clock.pk, ended_at__isnull=True).update(
        ended_at=now, business_seconds=seconds
    )
    clock.paused_seconds += seconds
    clock.paused_at = None
    clock.due_at, clock.warn_at = deadlines(
        policy,
        started_at=clock.started_at,
        minutes=clock.target_minutes,
        paused_seconds=clock.paused_seconds,
    )
    return seconds


def _finish(clock: Clock, policy: Policy, now: datetime, *, met: bool) -> dict[str, Any]:
    """End an open clock: met (within target, else late) or stopped; returns event facts."""
    if clock.paused_at is not None:
        _end_pause(clock, policy, now)
    if not met:
        clock.stopped_at = now
        return {}
    if clock.breached_at is None and now <= clock.due_at:
        clock.met_at = now
        return {"met_at": iso(now), "late": False}
    if clock.breached_at is None:
        # The sweep had not got to it yet: the breach happened at due_at all the same.
        clock.breached_at = clock.due_at
    clock.stopped_at = now
    return {"met_at": iso(now), "late": True}


def _save(ticket: Ticket, changed: list[Clock], clocks: list[Clock]) -> None:
    if changed:
        Clock.objects.bulk_update(changed, _SAVED)
    sync_ticket_sla(ticket=ticket, clocks=clocks)


# --------------------------------------------------------------------------- transitions


def clocks_start_for_new_ticket(*, ticket: Ticket) -> list[Clock]:
    """Resolution clock plus the response clock of the ticket's tier; VIP routing first."""
    now = timezone.now()
    agreement = applicable_agreement(ticket.organisation_id)
    if agreement is None:
        return []  # no default agreement configured: no SLA, by choice of the operator
    policy = policy_for(agreement)
    specs = [(ClockKind.RESOLUTION.value, "", 1)]
    routed = agreement.vip_route_to_l2 and ticket.is_vip and ticket.tier == Tier.L1
    if routed:
        from tickets.services import ticket_move_tier

        # The tier signal starts the L2 response clock (see clocks_change_tier).
        moved = ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L2, reason="VIP routing")
        ticket.tier, ticket.assignee_id = moved.tier, moved.assignee_id
    else:
        specs.append((ClockKind.RESPONSE.value, ticket.tier, 1))
    started = _start(ticket=ticket, policy=policy, specs=specs, now=now)
    clocks = list(Clock.objects.filter(ticket_id=ticket.pk)) if routed else started
    sync_ticket_sla(ticket=ticket, clocks=clocks)
    return started


def clocks_change_tier(*, ticket: Ticket, before: str, after: str) -> None:
    """Leaving a tier stops its unmet response clock; entering one starts a new cycle."""
    clocks = _load(ticket)
    policy = _ticket_policy(ticket, clocks)
    if policy is None:
        return
    now = timezone.now()
    changed = []
    for clock in clocks:
        if clock.kind == ClockKind.RESPONSE and clock.tier == before and is_open(clock):
            _finish(clock, _clock_policy(clock, policy), now, met=False)
            changed.append(clock)
    cycle = 1 + max(
        (c.cycle for c in clocks if c.kind == ClockKind.RESPONSE and c.tier == after), default=0
    )
    if changed:
        Clock.objects.bulk_update(changed, _SAVED)
    started = _start(
        ticket=ticket,
        policy=policy,
        specs=[(ClockKind.RESPONSE.value, after, cycle)],
        now=now,
        replaces=[c.pk for c in changed],
    )
    sync_ticket_sla(ticket=ticket, clocks=clocks + started)


def clocks_meet_response(*, ticket: Ticket) -> Clock | None:
    """First public staff reply or acknowledgement: the current tier's response is done."""
    clocks = _load(ticket)
    current = [
        c for c in clocks if c.kind == ClockKind.RESPONSE and c.tier == ticket.tier and is_open(c)
    ]
    if not current:
        return None
    clock = max(current, key=lambda c: c.cycle)
    policy = _ticket_policy(ticket, clocks)
    if policy is None:
        return None
    facts = _finish(clock, _clock_policy(clock, policy), timezone.now(), met=True)
    _save(ticket, [clock], clocks)
    record(ticket, EventKind.CLOCK_MET, clock, **facts)
    return clock


def clocks_change_status(*, ticket: Ticket, before: str, after: str) -> None:
    clocks = _load(ticket)
    policy = _ticket_policy(ticket, clocks)
    if policy is None:
        return
    now = timezone.now()
    pausing = pausing_statuses(policy.agreement)
    finished = (Status.RESOLVED, Status.CLOSED)
    changed: list[Clock] = []
    notes: list[tuple[str, Clock, dict[str, Any]]] = []
    if after in finished:
        for clock in clocks:
            if not is_open(clock):
                continue
            met = after == Status.RESOLVED and clock.kind == ClockKind.RESOLUTION
            facts = _finish(clock, _clock_policy(clock, policy), now, met=met)
            changed.append(clock)
            if met:
                notes.append((EventKind.CLOCK_MET, clock, facts))
    elif before in finished:
        # Reopened: the resolution is owed again, as a new cycle.
        cycle = 1 + max((c.cycle for c in clocks if c.kind == ClockKind.RESOLUTION), default=0)
        started = _start(
            ticket=ticket,
            policy=policy,
            specs=[(ClockKind.RESOLUTION.value, "", cycle)],
            now=now,
            reopened=True,
        )
        clocks += started
    elif after in pausing and before not in pausing:
        paused = [c for c in clocks if is_open(c) and not c.breached_at and not c.paused_at]
        for clock in paused:
            clock.paused_at = now
            notes.append((EventKind.CLOCK_PAUSED, clock, {"status": after}))
        changed += paused
        ClockPause.objects.bulk_create([ClockPause(clock=c, started_at=now) for c in paused])
    elif before in pausing and after not in pausing:
        for clock in clocks:
            if is_open(clock) and clock.paused_at is not None:
                seconds = _end_pause(clock, _clock_policy(clock, policy), now)
                changed.append(clock)
                notes.append((EventKind.CLOCK_RESUMED, clock, {"paused_seconds": seconds}))
    _save(ticket, changed, clocks)
    record_all(ticket, notes)


def clocks_change_priority(*, ticket: Ticket) -> None:
    """Recompute open, unbreached clocks from their start with the new priority's targets."""
    clocks = _load(ticket)
    policy = _ticket_policy(ticket, clocks)
    if policy is None:
        return
    changed = []
    for clock in clocks:
        if not is_open(clock) or clock.breached_at is not None:
            continue
        clock_policy = _clock_policy(clock, policy)
        minutes = clock_policy.minutes(
            kind=clock.kind, tier=clock.tier, priority=ticket.priority, vip=ticket.is_vip
        )
        if minutes is None:
            continue
        before = clock.due_at
        clock.target_minutes = minutes
        clock.due_at, clock.warn_at = deadlines(
            clock_policy,
            started_at=clock.started_at,
            minutes=minutes,
            paused_seconds=clock.paused_seconds,
        )
        changed.append((clock, before))
    _save(ticket, [c for c, _ in changed], clocks)
    record_all(
        ticket,
        [
            (
                EventKind.CLOCK_RECOMPUTED,
                clock,
                {"previous_due_at": iso(before), "priority": ticket.priority},
            )
            for clock, before in changed
        ],
    )


def reply_meets_response(*, ticket: Ticket, reply: Reply) -> bool:
    """A public reply by someone who can work the ticket counts as a response."""
    return not reply.internal and can_work(ticket=ticket, user=reply.author)
