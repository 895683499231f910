"""Demo data: the standard cast, and plain tickets in bulk for benchmarks.

The cast (usernames, password `demo`) is a contract that tests and docs use. The desk with
its 90 days of history (seed_demo) is escalation.demo, which builds on this cast.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, Role, Tier, User

from .models import Category, EventKind, Priority, Status, Ticket, TicketEvent

DEMO_PASSWORD = "demo"  # noqa: S105 - only ever used by the demo setup

CAST: list[dict] = [
    {
        "username": "alice",
        "first_name": "Alice",
        "last_name": "Adams",
        "org": "Acme Corp",
        "role": Role.CUSTOMER,
    },
    {
        "username": "bob",
        "first_name": "Bob",
        "last_name": "Baker",
        "org": "Acme Corp",
        "role": Role.CUSTOMER,
    },
    {
        "username": "victor",
        "first_name": "Victor",
        "last_name": "Vance",
        "org": "Acme Corp",
        "role": Role.CUSTOMER,
        "is_vip": True,
    },
    {
        "username": "gina",
        "first_name": "Gina",
        "last_name": "Gruber",
        "org": "Globex",
        "role": Role.CUSTOMER,
        "language": "de",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "l1tech",
        "first_name": "Lena",
        "last_name": "One",
        "role": Role.TECHNICIAN,
        "tier": Tier.L1,
    },
    {
        "username": "l2tech",
        "first_name": "Lars",
        "last_name": "Two",
        "role": Role.TECHNICIAN,
        "tier": Tier.L2,
        "is_team_lead": True,
    },
    {
        "username": "l3tech",
        "first_name": "Liv",
        "last_name": "Three",
        "role": Role.TECHNICIAN,
        "tier": Tier.L3,
    },
    {
        "username": "manager",
        "first_name": "Mia",
        "last_name": "Manager",
        "role": Role.MANAGER,
        "is_staff": True,
    },
]
ORGANISATIONS = {"Acme Corp": "Europe/Berlin", "Globex": "America/New_York"}
CATEGORIES = ["Access & accounts", "E-mail", "Hardware", "Network", "Software", "Printing"]
SUBJECTS = [
    "Cannot log in to VPN",
    "Outlook keeps asking for password",
    "Laptop will not boot",
    "Printer on 3rd floor jams",
    "Need access to the finance share",
    "Wi-Fi drops every hour",
    "Excel crashes when opening macro file",
    "New starter needs an account",
    "Monitor flickers",
    "Phone not syncing mail",
    "SAP transaction times out",
    "Password reset link expired",
    "Teams calls drop after 5 minutes",
]
BODIES = [
    "Since this morning I get an error when I try this. I restarted twice.",
    "It worked yesterday. Colleagues next to me have the same issue.",
    "Please help, this blocks my work with a customer deadline today.",
    "Error message attached as text: `0x80070005 access denied`.",
]


@transaction.atomic
def ensure_cast() -> dict[str, User]:
    """Create (or leave as they are) the demo organisations, users and categories."""
    orgs = {
        name: Organisation.objects.get_or_create(name=name, defaults={"time_zone": tz})[0]
        for name, tz in ORGANISATIONS.items()
    }
    for name in CATEGORIES:
        Category.objects.get_or_create(name=name)
    return ensure_users(CAST, organisations=orgs)


def ensure_users(specs: list[dict], *, organisations: dict[str, Organisation]) -> dict[str, User]:
    """Users of these specs (username, names, "org" name, role …), created if missing with
    the demo password; existing ones are left as they are. The password is hashed only when
    someone is missing (hashing is slow on purpose, and every `make run` calls this)."""
    users = {
        u.username: u for u in User.objects.filter(username__in=[s["username"] for s in specs])
    }
    missing = [spec for spec in specs if spec["username"] not in users]
    password = make_password(DEMO_PASSWORD) if missing else ""
    for spec in missing:
        spec = dict(spec)
        org = spec.pop("org", None)
        user, _created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                **spec,
                "organisation": organisations.get(org) if org else None,
                "email": f"{spec['username']}@example.com",
                "password": password,
            },
        )
        users[user.username] = user
    return {spec["username"]: users[spec["username"]] for spec in specs}


def bulk_tickets(count: int, *, batch_size: int = 5000, seed: int = 7) -> int:
    """Insert `count` realistic tickets with their creation events, in bulk.

    Skips the services on purpose: this is for volume (benchmarks, demo
    backlogs), not for behaviour. The SLA layer fills clocks for them through
    its own bulk hook when one is installed.
    """
    users = ensure_cast()
    customers = [users[name] for name in ("alice", "bob", "victor", "gina")]
    technicians = [users[name] for name in ("l1tech", "l2tech", "l3tech")]
    categories = list(Category.objects.all())
    rng = random.Random(seed)
    now = timezone.now()
    statuses = (
        [Status.NEW] * 3
        + [Status.OPEN] * 4
        + [Status.PENDING_CUSTOMER, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED]
    )
    created_total = 0
    while created_total < count:
        size = min(batch_size, count - created_total)
        batch = []
        for _ in range(size):
            requester = rng.choice(customers)
            tier = rng.choices([Tier.L1, Tier.L2, Tier.L3], weights=[70, 22, 8])[0]
            status = rng.choice(statuses)
            created_at = now - timedelta(minutes=rng.randint(1, 60 * 24 * 120))
            assignee = next((t for t in technicians if t.tier == tier), None)
            batch.append(
                Ticket(
                    subject=rng.choice(SUBJECTS),
                    description=rng.choice(BODIES),
                    requester=requester,
                    organisation_id=requester.organisation_id,
                    category=rng.choice(categories),
                    priority=rng.choice(Priority.values),
                    tier=tier,
                    status=status,
                    is_vip=requester.is_vip,
                    assignee=assignee if status != Status.NEW else None,
                    resolved_at=created_at + timedelta(hours=5)
                    if status in (Status.RESOLVED, Status.CLOSED)
                    else None,
                )
            )
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(batch, batch_size=batch_size)
            TicketEvent.objects.bulk_create(
                [
                    TicketEvent(
                        ticket=t,
                        actor=t.requester,
                        kind=EventKind.CREATED,
                        after={"status": Status.NEW, "priority": t.priority, "tier": "L1"},
                        created_at=now,
                    )
                    for t in tickets
                ],
                batch_size=batch_size,
            )
            from . import signals

            signals.tickets_bulk_created.send(sender=Ticket, tickets=tickets)
        created_total += size
    return created_total
