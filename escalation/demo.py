"""A help desk's last 90 days as demo data: `manage.py seed_demo --tickets N`.

Each ticket lives a believable life on a timeline that ends now: filed on a working day
(mostly business hours), answered, paused while waiting on the customer, put on hold,
escalated with hand-off notes, breached and escalated by the sweep's rules, resolved,
rated and sometimes reopened. Tickets filed lately are still open, at whatever point of
their life now is; their deadlines follow from their real start, so the sweep finds a few
breaches an hour afterwards, not a flood.

Why not the ticket services with a moving clock: the services stamp `timezone.now()`, and
the history must lie in the past (time-machine is a test dependency only). So the life
is written with the same pieces the services use: the event builders (tickets.events,
sla.events), the agreement's policy and business calendar with the deadline maths
(sla.services.deadlines), `finish` for meeting and stopping clocks, the SLA column
mirror (sla_columns) and the escalation rules (`EscalationRule.matches`). History writes
send no notifications: nobody is told today about what happened last month.
"""

from __future__ import annotations

import random
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role, Tier, User
from common.bulk import update_in_bulk
from sla import events as clock_events
from sla.models import Clock, ClockKind, ClockPause
from sla.policies import Policy, applicable_agreements, policy_for
from sla.services.clocks import Closing, finish
from sla.services.deadlines import deadlines, iso, pausing_statuses
from sla.services.sync import sla_columns
from tickets import events
from tickets.demo import DEMO_PASSWORD, ensure_cast
from tickets.models import (
    Category,
    EventKind,
    Participation,
    Priority,
    Reply,
    Status,
    Ticket,
    TicketEvent,
)

from . import demo_texts as texts
from .models import Escalation, EscalationKind, EscalationRule, Trigger

DAYS = 90
DEFAULT_TICKETS = 800
BATCH = 500
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # where most of the desk's customers work

HOUR_WEIGHTS = [0.2] * 7 + [2, 8, 10, 10, 9, 6, 8, 9, 8, 7, 4, 2, 1, 0.5, 0.4, 0.3, 0.2]
DAY_WEIGHTS = [1.2, 1.0, 1.0, 1.0, 0.8, 0.12, 0.08]  # Monday … Sunday
PRIORITIES = {Priority.P1: 4, Priority.P2: 18, Priority.P3: 53, Priority.P4: 25}
VIP_PRIORITIES = {Priority.P1: 15, Priority.P2: 40, Priority.P3: 35, Priority.P4: 10}
RATINGS = {5: 50, 4: 28, 3: 10, 2: 7, 1: 5}


def _pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def ensure_people() -> dict[str, User]:
    """The standard cast plus the desk's other customers and technicians (idempotent)."""
    cast = ensure_cast()
    orgs = {
        name: Organisation.objects.get_or_create(name=name, defaults={"time_zone": tz})[0]
        for name, (tz, _share) in texts.ORGANISATIONS.items()
    }
    password = make_password(DEMO_PASSWORD)
    for spec in texts.PEOPLE:
        spec = dict(spec)
        org = spec.pop("org", None)
        spec.setdefault("role", Role.CUSTOMER)
        cast[spec["username"]] = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                **spec,
                "organisation": orgs.get(org) if org else None,
                "email": f"{spec['username']}@example.com",
                "password": password,
            },
        )[0]
    return cast


class _Desk:
    """What every life reads: people, categories, policies, rules, and the rows to write."""

    def __init__(self, *, now: datetime, rng: random.Random) -> None:
        self.now = now
        people = ensure_people()
        self.customers = [u for u in people.values() if u.role == Role.CUSTOMER]
        self.techs = {
            tier: [u for u in people.values() if u.role == Role.TECHNICIAN and u.tier == tier]
            for tier in Tier.values
        }
        for name in texts.ISSUES:
            Category.objects.get_or_create(name=name)
        self.categories = {c.name: c for c in Category.objects.filter(name__in=texts.ISSUES)}
        agreements = applicable_agreements({u.organisation_id for u in self.customers})
        self.policies = {org: policy_for(a) for org, a in agreements.items()}
        self.rules = list(EscalationRule.objects.filter(active=True))
        self.rng = rng
        self.stories: list[_Life] = []


class _Life:
    """One ticket's life, built in memory: the ticket, its replies, clocks, pauses,
    escalations and (deferred, they need ids) its events."""

    def __init__(self, desk: _Desk, *, rng: random.Random, requester: User, at: datetime):
        self.desk, self.rng, self.requester = desk, rng, requester
        self.de = requester.language == "de"
        self.policy: Policy | None = desk.policies.get(requester.organisation_id)
        category = rng.choice(list(texts.ISSUES))
        subject_en, subject_de, body_en, body_de = rng.choice(texts.ISSUES[category])
        weights = VIP_PRIORITIES if requester.is_vip else PRIORITIES
        self.ticket = Ticket(
            subject=subject_de if self.de else subject_en,
            description=body_de if self.de else body_en,
            requester=requester,
            organisation_id=requester.organisation_id,
            category=desk.categories[category],
            priority=_pick(rng, weights),
            tier=Tier.L1,
            status=Status.NEW,
            is_vip=requester.is_vip,
        )
        self.created_at = self.updated_at = at
        self.replies: list[tuple[Reply, datetime]] = []
        self.clocks: list[Clock] = []
        self.pauses: list[ClockPause] = []
        self.open_pauses: dict[int, ClockPause] = {}
        self.escalations: list[Escalation] = []
        self.events: list[Callable[[], TicketEvent]] = []
        self.worked: dict[int, list] = {}  # staff user id → [first_at, last_at, how]

    # ----------------------------------------------------------------- words and people

    def say(self, pair: tuple[str, str], **values: str) -> str:
        return (pair[1] if self.de else pair[0]).format(**values)

    def tech(self) -> User:
        """Whoever works the ticket now: its assignee, else someone of its tier takes it."""
        return self.ticket.assignee or self.rng.choice(self.desk.techs[self.ticket.tier])

    def _event(self, build: Callable[[], TicketEvent]) -> None:
        self.events.append(build)

    def _worked(self, user: User | None, how: int, at: datetime) -> None:
        """What the ticket services record as participation (tickets.models.Participation)."""
        if user is None or not user.is_support_staff:
            return
        row = self.worked.setdefault(user.pk, [at, at, 0])
        row[1], row[2] = at, row[2] | how

    # ----------------------------------------------------------------- clocks

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
            r
            for r in self.desk.rules
            if r.matches(trigger=trigger, tier=tier, priority=ticket.priority)
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

    # ----------------------------------------------------------------- actions

    def create(self, at: datetime) -> None:
        actor = self.requester
        if self.ticket.priority == Priority.P1:  # customers cannot choose P1: staff filed it
            actor = self.rng.choice(self.desk.techs[Tier.L1])
        ticket = self.ticket
        facts = {"status": ticket.status, "priority": ticket.priority, "tier": ticket.tier}
        self._event(
            lambda: events.build(
                ticket=ticket,
                kind=EventKind.CREATED,
                actor=actor,
                after=facts | {"subject": ticket.subject},
                created_at=at,
            )
        )
        self._start(ClockKind.RESOLUTION, "", at)
        self._start(ClockKind.RESPONSE, self.ticket.tier, at)

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
        elif status in pausing and before not in pausing:
            self._pause(self._owed(), at)
        elif before in pausing and status not in pausing:
            self._resume(at)

    def _reply(self, at: datetime, author: User, body: str, *, internal: bool = False) -> None:
        reply = Reply(ticket=self.ticket, author=author, body=body, internal=internal)
        self._worked(author, Participation.NOTED if internal else Participation.REPLIED, at)
        self.replies.append((reply, at))
        self._event(lambda: _dated(events.reply_added(ticket=self.ticket, reply=reply), at))
        self.updated_at = at

    def assign(self, at: datetime, tech: User) -> None:
        before = self.ticket.assignee
        if before == tech:
            return
        self.ticket.assignee = tech
        self._worked(tech, Participation.ASSIGNED, at)
        self._stamp(at, events.assignee_changed, actor=tech, before=before, after=tech)

    def staff_reply(self, at: datetime, body: str) -> User:
        tech = self.tech()
        self.assign(at, tech)
        if self.ticket.status == Status.NEW:
            self._status(at, Status.OPEN, tech)
        self._reply(at, tech, body)
        if self.ticket.first_response_at is None:
            self.ticket.first_response_at = at
        current = [
            c for c in self._owed() if c.kind == ClockKind.RESPONSE and c.tier == self.ticket.tier
        ]
        if current:
            self._finish(max(current, key=lambda c: c.cycle), at, met=True)
        return tech

    def answer(self, at: datetime) -> None:
        name = self.requester.first_name
        self.staff_reply(at, self.say(self.rng.choice(texts.FIRST_REPLIES), name=name))

    def follow_up(self, at: datetime) -> None:
        self.staff_reply(at, self.say(self.rng.choice(texts.FOLLOW_UPS)))

    def note(self, at: datetime) -> None:
        tech = self.tech()
        self.assign(at, tech)
        self._reply(at, tech, self.rng.choice(texts.NOTES), internal=True)

    def ask(self, at: datetime) -> None:
        tech = self.staff_reply(at, self.say(self.rng.choice(texts.QUESTIONS)))
        self._status(at, Status.PENDING_CUSTOMER, tech)

    def customer_answers(self, at: datetime) -> None:
        if self.ticket.status == Status.PENDING_CUSTOMER:
            self._status(at, Status.OPEN, self.requester)
        self._reply(at, self.requester, self.say(self.rng.choice(texts.ANSWERS)))

    def hold(self, at: datetime) -> None:
        tech = self.staff_reply(at, self.say(self.rng.choice(texts.HOLD_NOTES)))
        self._status(at, Status.ON_HOLD, tech)

    def unhold(self, at: datetime) -> None:
        if self.ticket.status == Status.ON_HOLD:
            self._status(at, Status.OPEN, self.tech())

    def escalate(self, at: datetime) -> None:
        above = Tier.next_above(self.ticket.tier)
        if above is None or not self.ticket.is_active:
            return
        tech = self.tech()
        self.assign(at, tech)
        from_tier = self.ticket.tier
        note = texts.HANDOFFS[2] if from_tier == Tier.L2 else self.rng.choice(texts.HANDOFFS[:2])
        record = Escalation(
            ticket=self.ticket,
            from_tier=from_tier,
            to_tier=above,
            kind=EscalationKind.MANUAL,
            actor=tech,
            note=note,
            actions=[f"moved:{from_tier}->{above}"],
            created_at=at,
        )
        self.escalations.append(record)
        self._worked(tech, Participation.ESCALATED, at)
        self._move(at, above, actor=tech, reason="Escalated with a hand-off note.")
        self._event(
            lambda: events.build(
                ticket=self.ticket,
                kind=EventKind.ESCALATED,
                actor=tech,
                before={"tier": from_tier},
                after={"tier": above, "escalation": record.pk},
                internal=True,
                created_at=at,
            )
        )

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

    def resolve(self, at: datetime) -> None:
        fix = self.say(self.rng.choice(texts.FIXES))
        tech = self.staff_reply(at, self.say(texts.RESOLUTIONS[0], fix=fix))
        self._status(at, Status.RESOLVED, tech)

    def give_up(self, at: datetime) -> None:
        tech = self.staff_reply(at, self.say(texts.GIVE_UP))
        self._status(at, Status.RESOLVED, tech)

    def rate(self, at: datetime) -> None:
        rating = _pick(self.rng, RATINGS)
        self.ticket.satisfaction_rating = rating
        if self.rng.random() < 0.6:
            self.ticket.satisfaction_comment = self.say(self.rng.choice(texts.COMMENTS[rating]))
        self._stamp(at, events.rated, actor=self.requester, rating=rating)

    def reopen(self, at: datetime) -> None:
        self._status(at, Status.OPEN, self.requester)
        self._reply(at, self.requester, self.say(self.rng.choice(texts.REOPEN_REASONS)))

    def close(self, at: datetime) -> None:
        self._status(at, Status.CLOSED, self.ticket.assignee)


def _dated(event: TicketEvent, at: datetime) -> TicketEvent:
    event.created_at = at
    return event


# --------------------------------------------------------------------------- the plot


def _plot(life: _Life, start: datetime) -> Iterator[tuple[datetime, Callable[[datetime], None]]]:
    """The steps of one life, each (when, what); later steps read the state earlier ones
    (and the sweep between them) left."""
    rng, ticket = life.rng, life.ticket
    assert life.policy is not None
    calendar = life.policy.calendar

    def work(after: datetime, minutes: float) -> datetime:
        """Staff act in business time."""
        return calendar.add_business_seconds(after, minutes * 60)

    def later(after: datetime, hours: float) -> datetime:
        """Customers answer in their own time, mostly while the office is open."""
        moment = after + timedelta(hours=hours)
        return calendar.next_opening(moment) if rng.random() < 0.7 else moment

    def target(kind: str) -> int:
        tier = ticket.tier if kind == ClockKind.RESPONSE else ""
        assert life.policy is not None
        return (
            life.policy.minutes(kind=kind, tier=tier, priority=ticket.priority, vip=ticket.is_vip)
            or 60
        )

    def respond_after(after: datetime) -> datetime:
        late = rng.random() < 0.1
        share = rng.uniform(1.1, 2.2) if late else rng.uniform(0.1, 0.85)
        return work(after, target(ClockKind.RESPONSE) * share)

    t = start
    yield t, life.create
    t = respond_after(t)
    yield t, life.answer
    if rng.random() < 0.4:
        t = work(t, rng.uniform(5, 90))
        yield t, life.note
    if rng.random() < 0.35:
        t = work(t, rng.uniform(2, 30))
        yield t, life.ask
        if rng.random() < 0.08:  # no answer: closed after a week of waiting
            t = work(t, rng.uniform(40, 60) * 60)
            yield t, life.give_up
            yield work(t + timedelta(days=rng.uniform(4, 7)), rng.uniform(5, 300)), life.close
            return
        t = later(t, rng.uniform(0.5, 30))
        yield t, life.customer_answers
        t = work(t, rng.uniform(5, 90))  # an answer to the answer, mostly soon
        yield t, life.follow_up
    escalate = 0.2 + (0.2 if ticket.priority in (Priority.P1, Priority.P2) else 0)
    while ticket.tier != Tier.L3 and rng.random() < escalate:
        t = work(t, rng.uniform(20, 240))
        yield t, life.escalate
        t = respond_after(t)
        yield t, life.answer
        escalate = 0.25
    if rng.random() < 0.1:  # waiting for a part or a vendor
        t = work(t, rng.uniform(10, 60))
        yield t, life.hold
        t = later(t, rng.uniform(24, 240))
        yield t, life.unhold
    late = rng.random() < 0.12
    share = rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.9)
    t = max(work(start, target(ClockKind.RESOLUTION) * share), work(t, rng.uniform(15, 120)))
    yield t, life.resolve
    if rng.random() < 0.06:
        t = later(t, rng.uniform(2, 48))
        yield t, life.reopen
        t = respond_after(t)
        yield t, life.answer
        t = work(t, rng.uniform(60, 600))
        yield t, life.resolve
    if rng.random() < 0.55:
        yield later(t, rng.uniform(0.2, 48)), life.rate
    yield work(t + timedelta(days=rng.uniform(4, 7)), rng.uniform(5, 300)), life.close


def _live(life: _Life, start: datetime, now: datetime) -> None:
    for at, step in _plot(life, start):
        if at > now:
            break
        life.sweep(at)
        step(at)
    life.sweep(now)


# --------------------------------------------------------------------------- seeding


def _filed_at(rng: random.Random, now: datetime) -> datetime:
    """A moment of the last 90 days, weighted to working days and office hours (Berlin)."""
    zone = BERLIN
    today = timezone.localtime(now, zone).date()
    while True:
        day = today - timedelta(days=rng.randrange(DAYS))
        if rng.random() > DAY_WEIGHTS[day.weekday()] / max(DAY_WEIGHTS):
            continue
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        moment = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=zone)
        if moment < now:
            return moment


def seed_desk(count: int = DEFAULT_TICKETS, *, seed: int = 7, now: datetime | None = None) -> int:
    """Add `count` tickets with 90 days of history ending at `now`; returns the count.
    The same seed and `now` give the same desk."""
    now = now or timezone.now()
    rng = random.Random(seed)
    desk = _Desk(now=now, rng=rng)
    customers = [c for c in desk.customers if desk.policies.get(c.organisation_id)]
    shares = {
        c.pk: texts.ORGANISATIONS.get(c.organisation.name if c.organisation else "", ("", 5))[1]
        for c in customers
    }
    weights = [shares[c.pk] for c in customers]
    filed = [
        (_filed_at(rng, now), rng.choices(customers, weights=weights)[0]) for _ in range(count)
    ]
    filed.sort(key=lambda pair: pair[0])  # oldest first: references grow with time
    made = 0
    for offset in range(0, count, BATCH):
        lives = []
        for index, (at, requester) in enumerate(filed[offset : offset + BATCH], start=offset):
            life = _Life(desk, rng=random.Random(f"{seed}:{index}"), requester=requester, at=at)
            _live(life, at, now)
            lives.append(life)
        _write(lives)
        made += len(lives)
    return made


@transaction.atomic
def _write(lives: list[_Life]) -> None:
    """Rows in dependency order; bulk_create fills each foreign key from the related object
    saved just before (and keeps it cached for the event builders)."""
    tickets = []
    for life in lives:
        for field, value in sla_columns(tier=life.ticket.tier, clocks=life.clocks).items():
            setattr(life.ticket, field, value)
        tickets.append(life.ticket)
    Ticket.objects.bulk_create(tickets)
    update_in_bulk(
        Ticket,
        rows=[
            (life.ticket.pk, {"created_at": life.created_at, "updated_at": life.updated_at})
            for life in lives
        ],
        columns=["created_at", "updated_at"],
    )
    clocks = [c for life in lives for c in life.clocks]
    Clock.objects.bulk_create(clocks)
    pauses = [p for life in lives for p in life.pauses]
    ClockPause.objects.bulk_create(pauses)
    replies = [(r, at) for life in lives for r, at in life.replies]
    Reply.objects.bulk_create([r for r, _at in replies])
    update_in_bulk(
        Reply,
        rows=[(r.pk, {"created_at": at, "updated_at": at}) for r, at in replies],
        columns=["created_at", "updated_at"],
    )
    records = [e for life in lives for e in life.escalations]
    Escalation.objects.bulk_create(records)
    events.insert([build() for life in lives for build in life.events])
    Participation.objects.bulk_create(
        Participation(ticket=life.ticket, user_id=user_id, first_at=first, last_at=last, how=how)
        for life in lives
        for user_id, (first, last, how) in life.worked.items()
    )
