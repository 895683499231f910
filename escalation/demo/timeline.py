"""A ticket's timeline in memory: its clocks moved the way the SLA engine moves them.

The demo desk (escalation.demo) writes history that lies in the past, so it cannot call
the services (they stamp `timezone.now()`); this class applies the same rules with the
engine's own pieces at given instants: deadlines from the policy and business calendar
(sla.services.deadlines), `finish` for met and stopped clocks, pauses with their ledger,
and what the periodic sweep does at each warning and breach (the active escalation rules:
tier moves, priority raises, the escalation records). Events are built with the event
builders once the rows have ids (`events`: deferred builds).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from accounts.models import Tier, User
from sla import events as clock_events
from sla.models import Clock, ClockKind, ClockPause
from sla.policies import Policy
from sla.services.clocks import Closing, finish
from sla.services.deadlines import deadlines, iso, pausing_statuses
from tickets import events
from tickets.models import (
    EventKind,
    Priority,
    Reply,
    Status,
    Ticket,
    TicketEvent,
)

from ..models import Escalation, EscalationKind, EscalationRule, Trigger


class Timeline:
    def __init__(
        self,
        *,
        ticket: Ticket,
        policy: Policy | None,
        rules: list[EscalationRule],
        rng: random.Random,
        at: datetime,
    ) -> None:
        self.ticket, self.policy, self.rules, self.rng = ticket, policy, rules, rng
        self.created_at = self.updated_at = at
        self.replies: list[tuple[Reply, datetime]] = []
        self.clocks: list[Clock] = []
        self.pauses: list[ClockPause] = []
        self.open_pauses: dict[int, ClockPause] = {}
        self.escalations: list[Escalation] = []
        self.events: list[Callable[[], TicketEvent]] = []
        self.worked: dict[int, list] = {}  # staff user id → [first_at, last_at, how]

    def _event(self, build: Callable[[], TicketEvent]) -> None:
        self.events.append(build)

    def _worked(self, user: User | None, how: int, at: datetime) -> None:
        """What the ticket services record as participation (tickets.models.Participation)."""
        if user is None or not user.is_support_staff:
            return
        row = self.worked.setdefault(user.pk, [at, at, 0])
        row[1], row[2] = at, row[2] | how

    def _owed(self) -> list[Clock]:
        return [c for c in self.clocks if c.met_at is None and c.stopped_at is None]

    def _start(self, kind: str, tier: str, at: datetime, **extra: Any) -> None:
        if self.policy is None:
            return
        minutes = self.policy.minutes(
            kind=kind, tier=tier, priority=self.ticket.priority, vip=self.ticket.is_vip
        )
        if minutes is None:
            return
        cycle = 1 + max(
            (c.cycle for c in self.clocks if (c.kind, c.tier) == (kind, tier)), default=0
        )
        due, warn = deadlines(self.policy, started_at=at, minutes=minutes, paused_seconds=0)
        clock = Clock(
            ticket=self.ticket,
            kind=kind,
            tier=tier,
            cycle=cycle,
            agreement_id=self.policy.agreement.pk,
            target_minutes=minutes,
            started_at=at,
            due_at=due,
            warn_at=warn,
        )
        self.clocks.append(clock)
        self._event(lambda: clock_events.started(clock, created_at=at, due_at=iso(due), **extra))
        if self.ticket.status in pausing_statuses(self.policy.agreement):
            self._pause([clock], at)

    def _owe_answer(self, at: datetime, **facts: Any) -> None:
        """A customer's message (or a reopen) is owed an answer: a next-response clock,
        unless one is owed already."""
        if not any(c.kind == ClockKind.NEXT_RESPONSE for c in self._owed()):
            self._start(ClockKind.NEXT_RESPONSE, "", at, **facts)

    def _pause(self, clocks: list[Clock], at: datetime) -> None:
        status = self.ticket.status
        for clock in clocks:
            if clock.paused_at is None and clock.breached_at is None:
                clock.paused_at = at
                pause = ClockPause(clock=clock, started_at=at)
                self.pauses.append(pause)
                self.open_pauses[id(clock)] = pause
                due = clock.due_at
                self._event(
                    partial(
                        clock_events.paused, clock, status=status, created_at=at, due_at=iso(due)
                    )
                )

    def _close_pause(self, clock: Clock, at: datetime, seconds: float) -> None:
        pause = self.open_pauses.pop(id(clock))
        pause.ended_at, pause.business_seconds = at, seconds

    def _resume(self, at: datetime) -> None:
        assert self.policy is not None
        for clock in self._owed():
            if clock.paused_at is None:
                continue
            seconds = self.policy.calendar.business_seconds_between(clock.paused_at, at)
            clock.paused_seconds += seconds
            clock.paused_at = None
            clock.due_at, clock.warn_at = deadlines(
                self.policy,
                started_at=clock.started_at,
                minutes=clock.target_minutes,
                paused_seconds=clock.paused_seconds,
            )
            self._close_pause(clock, at, seconds)
            due = clock.due_at
            self._event(
                partial(
                    clock_events.resumed,
                    clock,
                    paused_seconds=seconds,
                    created_at=at,
                    due_at=iso(due),
                )
            )

    def _finish(self, clock: Clock, at: datetime, *, met: bool) -> None:
        assert self.policy is not None
        closing: Closing = []
        facts = finish(clock, self.policy, at, met=met, closing=closing)
        if closing:
            self._close_pause(clock, at, closing[-1][1])
        if met:
            due = clock.due_at
            self._event(
                lambda: clock_events.met(
                    clock, ticket=self.ticket, created_at=at, due_at=iso(due), **facts
                )
            )

    def sweep(self, until: datetime) -> None:
        """What the periodic sweep did up to `until`: warnings and breaches in time order,
        with the rules' consequences (tier moves, priority raises)."""
        while True:
            pending = []
            for clock in self._owed():
                if clock.paused_at is not None:
                    continue
                if clock.warned_at is None and clock.warn_at <= until:
                    pending.append((clock.warn_at, False, clock))
                elif clock.breached_at is None and clock.due_at <= until:
                    pending.append((clock.due_at, True, clock))
            if not pending:
                return
            moment, breach, clock = min(pending, key=lambda p: p[0])
            at = min(moment + timedelta(seconds=self.rng.randint(5, 60)), until)
            self._swept(clock, at, breach=breach)

    def _swept(self, clock: Clock, at: datetime, *, breach: bool) -> None:
        ticket = self.ticket
        trigger = Trigger.of(clock_kind=clock.kind, breach=breach)
        tier = clock.tier or ticket.tier
        matching = [
            r for r in self.rules if r.matches(trigger=trigger, tier=tier, priority=ticket.priority)
        ]
        due = clock.due_at
        if breach:
            clock.breached_at = at
            self._event(lambda: clock_events.breached(clock=clock, created_at=at, due_at=iso(due)))
        else:
            clock.warned_at = at
            self._event(lambda: clock_events.warned(clock=clock, created_at=at, due_at=iso(due)))
        from_tier, actions = ticket.tier, []
        above = Tier.next_above(ticket.tier)
        if breach and above and any(r.move_to_next_tier for r in matching):
            self._move(at, above, actor=None, reason=f"{trigger} (SLA)")
            actions.append(f"moved:{from_tier}->{above}")
        if breach and any(r.raise_priority for r in matching):
            raised = Priority.raised(ticket.priority)
            if raised != ticket.priority:
                self._raise(at, raised)
                actions.append(f"priority:{raised}")
        record = Escalation(
            ticket=ticket,
            from_tier=from_tier,
            to_tier=ticket.tier,
            clock=clock,
            kind=EscalationKind.BREACH if breach else EscalationKind.WARNING,
            note=", ".join(r.name for r in matching),
            actions=actions,
            created_at=at,
        )
        self.escalations.append(record)
        if breach or actions:
            self._event(
                lambda: events.build(
                    ticket=ticket,
                    kind=EventKind.ESCALATED,
                    actor=None,
                    internal=True,
                    created_at=at,
                    before={"tier": record.from_tier},
                    after={
                        "tier": record.to_tier,
                        "escalation": record.pk,
                        "clock": clock.pk,
                        "trigger": str(trigger),
                        "actions": actions,
                    },
                )
            )

    def _raise(self, at: datetime, priority: str) -> None:
        assert self.policy is not None
        before, self.ticket.priority = self.ticket.priority, priority
        self._stamp(at, events.priority_changed, actor=None, before=before, after=priority)
        for clock in self._owed():
            minutes = self.policy.minutes(
                kind=clock.kind, tier=clock.tier, priority=priority, vip=self.ticket.is_vip
            )
            if minutes is None or minutes == clock.target_minutes or clock.breached_at:
                continue
            previous = clock.due_at
            clock.target_minutes = minutes
            clock.due_at, clock.warn_at = deadlines(
                self.policy,
                started_at=clock.started_at,
                minutes=minutes,
                paused_seconds=clock.paused_seconds,
            )
            due = clock.due_at
            self._event(
                partial(
                    clock_events.recomputed,
                    clock,
                    previous_due_at=previous,
                    reason="priority",
                    created_at=at,
                    due_at=iso(due),
                )
            )

    def _stamp(self, at: datetime, builder: Callable[..., TicketEvent], **kwargs: Any) -> None:
        """A ticket event from its builder, dated `at`."""

        def build() -> TicketEvent:
            event = builder(ticket=self.ticket, **kwargs)
            event.created_at = at
            return event

        self._event(build)
        self.updated_at = at

    def _status(self, at: datetime, status: str, actor: User | None) -> None:
        ticket = self.ticket
        before = ticket.status
        ticket.status = status
        if status == Status.RESOLVED:
            ticket.resolved_at = at
        elif status == Status.CLOSED:
            ticket.closed_at = at
        elif before in (Status.RESOLVED, Status.CLOSED):
            ticket.resolved_at = ticket.closed_at = None
        self._stamp(at, events.status_changed, actor=actor, before=before, after=status)
        assert self.policy is not None
        pausing = pausing_statuses(self.policy.agreement)
        if status in (Status.RESOLVED, Status.CLOSED):
            for clock in self._owed():
                met = status == Status.RESOLVED and clock.kind == ClockKind.RESOLUTION
                self._finish(clock, at, met=met)
        elif before in (Status.RESOLVED, Status.CLOSED):
            self._start(ClockKind.RESOLUTION, "", at, reopened=True)
            self._owe_answer(at, reopened=True)
        elif status in pausing and before not in pausing:
            self._pause(self._owed(), at)
        elif before in pausing and status not in pausing:
            self._resume(at)

    def _move(self, at: datetime, tier: str, *, actor: User | None, reason: str) -> None:
        ticket = self.ticket
        before = ticket.tier
        ticket.tier = tier
        self._stamp(at, events.tier_changed, actor=actor, before=before, after=tier, reason=reason)
        if ticket.assignee is not None and ticket.assignee.tier != tier:
            self._stamp(
                at, events.assignee_changed, actor=actor, before=ticket.assignee, after=None
            )
            ticket.assignee = None
        left = [c for c in self._owed() if c.kind == ClockKind.RESPONSE and c.tier == before]
        for clock in left:
            self._finish(clock, at, met=False)
        self._start(ClockKind.RESPONSE, tier, at)
