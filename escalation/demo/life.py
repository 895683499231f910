"""One demo ticket's life: who files it, what they write, and the plot of its days."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from accounts.models import Tier, User
from sla.models import ClockKind
from tickets import events
from tickets.models import EventKind, Participation, Priority, Reply, Status, Ticket, TicketEvent

from ..models import Escalation, EscalationKind
from . import texts
from .timeline import Timeline

if TYPE_CHECKING:
    from .seeding import Desk

PRIORITIES = {Priority.P1: 4, Priority.P2: 18, Priority.P3: 53, Priority.P4: 25}
VIP_PRIORITIES = {Priority.P1: 15, Priority.P2: 40, Priority.P3: 35, Priority.P4: 10}
RATINGS = {5: 50, 4: 28, 3: 10, 2: 7, 1: 5}


def pick(rng: random.Random, weights: dict) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Life(Timeline):
    """The ticket, its replies, clocks, pauses, escalations and (deferred, they need ids)
    its events, built in memory by `live`."""

    def __init__(self, desk: Desk, *, rng: random.Random, requester: User, at: datetime):
        self.desk, self.requester = desk, requester
        self.de = requester.language == "de"
        category = rng.choice(list(texts.ISSUES))
        subject_en, subject_de, body_en, body_de = rng.choice(texts.ISSUES[category])
        weights = VIP_PRIORITIES if requester.is_vip else PRIORITIES
        ticket = Ticket(
            subject=subject_de if self.de else subject_en,
            description=body_de if self.de else body_en,
            requester=requester,
            organisation_id=requester.organisation_id,
            category=desk.categories[category],
            priority=pick(rng, weights),
            tier=Tier.L1,
            status=Status.NEW,
            is_vip=requester.is_vip,
        )
        super().__init__(
            ticket=ticket,
            policy=desk.policies.get(requester.organisation_id),
            rules=desk.rules,
            rng=rng,
            at=at,
        )

    def say(self, pair: tuple[str, str], **values: str) -> str:
        return (pair[1] if self.de else pair[0]).format(**values)

    def tech(self) -> User:
        """Whoever works the ticket now: its assignee, else someone of its tier takes it."""
        return self.ticket.assignee or self.rng.choice(self.desk.techs[self.ticket.tier])

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

    def _reply(self, at: datetime, author: User, body: str, *, internal: bool = False) -> None:
        reply = Reply(ticket=self.ticket, author=author, body=body, internal=internal)
        self._worked(author, Participation.NOTED if internal else Participation.REPLIED, at)
        self.replies.append((reply, at))
        self._event(lambda: dated(events.reply_added(ticket=self.ticket, reply=reply), at))
        self.updated_at = at
        if not internal and not author.is_support_staff:
            self._owe_answer(at)

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
        # A public staff reply is the tier's response and the answer a customer is owed.
        for kind, tier in ((ClockKind.RESPONSE, self.ticket.tier), (ClockKind.NEXT_RESPONSE, "")):
            current = [c for c in self._owed() if c.kind == kind and c.tier == tier]
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

    def resolve(self, at: datetime) -> None:
        fix = self.say(self.rng.choice(texts.FIXES))
        tech = self.staff_reply(at, self.say(texts.RESOLUTIONS[0], fix=fix))
        self._status(at, Status.RESOLVED, tech)

    def give_up(self, at: datetime) -> None:
        tech = self.staff_reply(at, self.say(texts.GIVE_UP))
        self._status(at, Status.RESOLVED, tech)

    def rate(self, at: datetime) -> None:
        rating = pick(self.rng, RATINGS)
        self.ticket.satisfaction_rating = rating
        if self.rng.random() < 0.6:
            self.ticket.satisfaction_comment = self.say(self.rng.choice(texts.COMMENTS[rating]))
        self._stamp(at, events.rated, actor=self.requester, rating=rating)

    def reopen(self, at: datetime) -> None:
        self._status(at, Status.OPEN, self.requester)
        self._reply(at, self.requester, self.say(self.rng.choice(texts.REOPEN_REASONS)))

    def close(self, at: datetime) -> None:
        self._status(at, Status.CLOSED, self.ticket.assignee)


def dated(event: TicketEvent, at: datetime) -> TicketEvent:
    event.created_at = at
    return event


def plot(life: Life, start: datetime) -> Iterator[tuple[datetime, Callable[[datetime], None]]]:
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


def live(life: Life, start: datetime, now: datetime) -> None:
    for at, step in plot(life, start):
        if at > now:
            break
        life.sweep(at)
        step(at)
    life.sweep(now)
