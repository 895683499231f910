"""Seeding the demo desk: its people, then lives filed over the last 90 days, written in
batches in dependency order."""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role, Tier, User
from common.bulk import update_in_bulk
from sla.models import Clock, ClockPause
from sla.policies import applicable_agreements, policy_for
from sla.services.sync import sla_columns
from tickets import events
from tickets.demo import ensure_cast, ensure_users
from tickets.models import Category, Participation, Reply, Ticket

from ..models import Escalation, EscalationRule
from . import texts
from .life import Life, live

DAYS = 90
DEFAULT_TICKETS = 800
BATCH = 500
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")  # where most of the desk's customers work

HOUR_WEIGHTS = [0.2] * 7 + [2, 8, 10, 10, 9, 6, 8, 9, 8, 7, 4, 2, 1, 0.5, 0.4, 0.3, 0.2]
DAY_WEIGHTS = [1.2, 1.0, 1.0, 1.0, 0.8, 0.12, 0.08]  # Monday … Sunday


def ensure_people() -> dict[str, User]:
    """The standard cast plus the desk's other customers and technicians (idempotent)."""
    cast = ensure_cast()
    orgs = {
        name: Organisation.objects.get_or_create(name=name, defaults={"time_zone": tz})[0]
        for name, (tz, _share) in texts.ORGANISATIONS.items()
    }
    specs = [{"role": Role.CUSTOMER, **spec} for spec in texts.PEOPLE]
    return cast | ensure_users(specs, organisations=orgs)


class Desk:
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
    desk = Desk(now=now, rng=rng)
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
            life = Life(desk, rng=random.Random(f"{seed}:{index}"), requester=requester, at=at)
            live(life, at, now)
            lives.append(life)
        _write(lives)
        made += len(lives)
    return made


@transaction.atomic
def _write(lives: list[Life]) -> None:
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
