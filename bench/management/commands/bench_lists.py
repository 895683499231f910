"""Time the lists in-process on PostgreSQL: the queue, its search, the API ticket list's first
page and a deep cursor, at growing numbers of tickets.

Run against a database of its own, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_lists \\
    .venv/bin/python manage.py migrate && \\
  DATABASE_URL=… .venv/bin/python manage.py bench_lists --sizes 100000,1000000
Tickets are added (INSERT … SELECT generate_series) up to each size: three tiers, every
status, a deadline spread over days, a reply on every fifth ticket, one technician who
worked on every twentieth; then each URL is requested `--rounds` times through Django's
test client (the whole request: middleware, auth, selectors, templates, serializers).
"""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, Role, Tier, User
from tickets.models import Participation, Reply, Ticket

WORDS = ["printer", "vpn", "laptop", "mail", "password", "monitor", "teams", "wifi", "badge"]


class Command(BaseCommand):
    help = "Time /queue/, /queue/?q=, /api/v1/tickets/ (first page, deep cursor) per size."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="100000,1000000")
        parser.add_argument("--rounds", type=int, default=30)
        parser.add_argument(
            "--only", default="", help="Comma-separated case numbers to time (1-6; all if empty)."
        )

    def handle(self, *args, sizes: str, rounds: int, only: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_lists measures PostgreSQL.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        people = _cast()
        for size in [int(s) for s in sizes.split(",")]:
            have = Ticket.objects.count()
            if have < size:
                started = time.perf_counter()
                _load(count=size - have, people=people)
                self.stdout.write(
                    f"loaded {size - have} tickets in {time.perf_counter() - started:.0f} s"
                )
            self._measure(size=size, people=people, rounds=rounds, only=only)

    def _measure(self, *, size: int, people: dict, rounds: int, only: str) -> None:
        tech, manager = people["l1"], people["manager"]
        tech_client, manager_client = Client(), Client()
        tech_client.force_login(tech)
        manager_client.force_login(manager)
        deep = _deep_cursor(manager_client, depth=size // 2)
        cases = [
            ("/queue/ (L1 technician)", tech_client, "/queue/", {}),
            ("/queue/?q=printer", tech_client, "/queue/", {"q": "printer"}),
            ("/queue/ (manager, all tiers)", manager_client, "/queue/", {"tier": "all"}),
            ("/api/v1/tickets/ first page (manager)", manager_client, "/api/v1/tickets/", {}),
            ("/api/v1/tickets/ first page (L1)", tech_client, "/api/v1/tickets/", {}),
            (f"/api/v1/tickets/ cursor at row {size // 2:,}", manager_client, deep, {}),
        ]
        self.stdout.write(f"\n{size:,} tickets ({Ticket.objects.count():,} in the table)")
        chosen = {int(n) for n in only.split(",") if n}
        for number, (label, client, url, params) in enumerate(cases, start=1):
            if chosen and number not in chosen:
                continue
            timings = []
            for _ in range(rounds + 2):
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{label}: {response.status_code}")
            timings = sorted(timings[2:])  # the first two warm caches and connections
            p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
            self.stdout.write(
                f"  {label:<44} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms"
            )


def _deep_cursor(client: Client, *, depth: int) -> str:
    """A `next` link whose page starts `depth` rows in (found once by OFFSET, not timed)."""
    from api.v1.pagination import encode_cursor
    from common.keyset import keys_of

    tickets = Ticket.objects.order_by("-created_at", "-id")
    row = tickets[depth]
    keys = keys_of(tickets)
    first = client.get("/api/v1/tickets/").json()
    return "/api/v1/tickets/?cursor=" + encode_cursor(
        keys=keys, row=row, backwards=False, count=first["count"], exact=first["count_exact"]
    )


def _cast() -> dict:
    org, _ = Organisation.objects.get_or_create(name="Bench Lists Org")
    people = {}
    for key, role, tier in (
        ("l1", Role.TECHNICIAN, Tier.L1),
        ("l2", Role.TECHNICIAN, Tier.L2),
        ("manager", Role.MANAGER, None),
    ):
        defaults = {"role": role, "email": f"{key}@bench.invalid"}
        if tier:
            defaults["tier"] = tier
        people[key], _ = User.objects.get_or_create(
            username=f"bench_lists_{key}", defaults=defaults
        )
    customers = []
    for i in range(50):
        user, _ = User.objects.get_or_create(
            username=f"bench_lists_c{i}",
            defaults={"organisation": org, "email": f"c{i}@bench.invalid", "is_vip": i == 0},
        )
        customers.append(user)
    people["customers"] = customers
    return people


def _load(*, count: int, people: dict) -> None:
    """`count` more tickets, spread like a desk's: 57 % active; L1/L2/L3 70/22/8; a
    deadline within 5 days (3 % already breached), created over a year; a reply on every
    fifth; the L1 technician worked on every twentieth (participation) and holds every
    fiftieth."""
    customers = [u.pk for u in people["customers"]]
    now = timezone.now()
    tickets, replies = Ticket._meta.db_table, Reply._meta.db_table
    words = "ARRAY[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {tickets}")  # noqa: S608
        first = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO {tickets} (subject, description, requester_id, organisation_id,
                priority, tier, status, assignee_id, is_vip, sla_breached, sla_paused,
                satisfaction_comment, created_at, updated_at, response_due_at,
                resolution_due_at, next_due_at)
            SELECT 'Ticket about the ' || ({words})[1 + g %% 9] || ' number ' || g,
                'The ' || ({words})[1 + (g / 9) %% 9] || ' does not work since Monday.',
                (%(customers)s::bigint[])[1 + g %% 50], %(org)s,
                'P' || (1 + g %% 4), s.tier, s.status,
                CASE WHEN g %% 50 = 0 AND s.tier = 'L1' THEN %(tech)s END,
                g %% 50 = 0, g %% 33 = 0, false, '',
                %(now)s - (g %% 525600) * interval '1 minute',
                %(now)s - (g %% 525600) * interval '1 minute',
                CASE WHEN s.active THEN s.due END,
                CASE WHEN s.active THEN s.due + interval '1 day' END,
                CASE WHEN s.active THEN s.due END
            FROM generate_series(%(from)s, %(to)s) AS g,
            LATERAL (SELECT
                CASE WHEN g %% 100 < 70 THEN 'L1' WHEN g %% 100 < 92 THEN 'L2' ELSE 'L3' END
                    AS tier,
                (ARRAY['new', 'open', 'open', 'pending_customer', 'on_hold', 'open',
                       'resolved', 'closed', 'closed', 'resolved', 'closed', 'open',
                       'resolved', 'new'])[1 + g %% 14] AS status,
                g %% 14 NOT IN (6, 7, 8, 9, 10, 12) AS active,
                %(now)s + ((g::bigint * 7919) %% 432000 - 4000) * interval '1 second' AS due) AS s
            """,  # noqa: S608
            {
                "customers": customers,
                "org": people["customers"][0].organisation_id,
                "tech": people["l1"].pk,
                "now": now,
                "from": first + 1,
                "to": first + count,
            },
        )
        cur.execute(
            f"""
            INSERT INTO {replies} (ticket_id, author_id, body, internal, created_at, updated_at)
            SELECT id, requester_id, 'Any news on the ' || split_part(subject, ' ', 4) || '?',
                false, created_at, created_at
            FROM {tickets} WHERE id > %(first)s AND id %% 5 = 0
            """,  # noqa: S608
            {"first": first},
        )
        cur.execute(
            f"""
            INSERT INTO {Participation._meta.db_table} (ticket_id, user_id, first_at, last_at, how)
            SELECT id, %(tech)s, created_at, created_at, {Participation.REPLIED}
            FROM {tickets} WHERE id > %(first)s AND id %% 20 = 0
            ON CONFLICT DO NOTHING
            """,  # noqa: S608
            {"first": first, "tech": people["l1"].pk},
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
