"""Benchmark data and timings for `manage.py bench_dashboard` (PostgreSQL only).

A desk's history: tickets spread evenly over the last `days` days, each with its creation
entry and a response and resolution clock; older ones resolved (a third rated), the last
two weeks partly open; L2/L3 tickets with their escalations. Inserted with INSERT … SELECT
generate_series; the measured code is the production dashboard page.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organisation, Role, Tier, User
from escalation.models import Escalation
from sla.models import Agreement, Clock
from tickets.models import Ticket, TicketEvent

TECHNICIANS = 12
ORGANISATIONS = 6


def cast() -> tuple[User, list[int], list[int], list[int]]:
    """The manager, technicians, organisations and one requester per organisation."""
    manager, _ = User.objects.get_or_create(
        username="bench_dash_manager", defaults={"role": Role.MANAGER}
    )
    techs = [
        User.objects.get_or_create(
            username=f"bench_dash_tech{n}",
            defaults={"role": Role.TECHNICIAN, "tier": Tier.values[n % 3], "first_name": f"T{n}"},
        )[0].pk
        for n in range(TECHNICIANS)
    ]
    orgs = [
        Organisation.objects.get_or_create(name=f"Bench dashboard org {n}")[0].pk
        for n in range(ORGANISATIONS)
    ]
    requesters = [
        User.objects.get_or_create(
            username=f"bench_dash_customer{n}", defaults={"organisation_id": org}
        )[0].pk
        for n, org in enumerate(orgs)
    ]
    return manager, techs, orgs, requesters


def load(*, count: int, days: int, now: datetime) -> None:
    """`count` tickets over the last `days` days (newest last) with history and clocks."""
    _manager, techs, orgs, requesters = cast()
    agreement = Agreement.objects.filter(is_default=True).values_list("pk", flat=True).first()
    t, c = Ticket._meta.db_table, Clock._meta.db_table
    e, x = TicketEvent._meta.db_table, Escalation._meta.db_table
    params: dict[str, Any] = {
        "n": count,
        "span": f"{days} days",
        "now": now,
        "techs": techs,
        "orgs": orgs,
        "reqs": requesters,
        "agr": agreement,
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {t}")  # noqa: S608
        first = cur.fetchone()[0]
        params["first"] = first
        cur.execute(
            f"""
            WITH g AS (
                SELECT g, %(now)s - %(span)s::interval * (1 - g::float / %(n)s)
                    - (g %% 600) * interval '1 second' AS created,
                    (g * 2654435761) %% 1000 AS h
                FROM generate_series(1, %(n)s) AS g
            ), s AS (
                SELECT g, created, h,
                    CASE WHEN h < 600 THEN 'L1' WHEN h < 900 THEN 'L2' ELSE 'L3' END AS tier,
                    CASE WHEN created < %(now)s - interval '14 days' THEN h %% 50 <> 0
                         ELSE h %% 2 = 0 END AS done
                FROM g
            )
            INSERT INTO {t} (subject, description, requester_id, organisation_id, priority,
                tier, status, is_vip, sla_breached, sla_paused, satisfaction_rating,
                satisfaction_comment, created_at, updated_at, resolved_at, assignee_id,
                response_due_at, response_warn_at, resolution_due_at, resolution_warn_at,
                next_due_at)
            SELECT 'Bench dashboard ticket ' || g, 'Generated for the dashboard benchmark.',
                (%(reqs)s::bigint[])[1 + g %% {len(requesters)}],
                (%(orgs)s::bigint[])[1 + g %% {len(orgs)}],
                'P' || (1 + (h / 7) %% 4), tier,
                CASE WHEN done THEN 'resolved' WHEN h %% 3 = 0 THEN 'new' ELSE 'open' END,
                false, NOT done AND created + interval '2 days' < %(now)s, false,
                CASE WHEN done AND g %% 3 = 0 THEN 1 + (h / 3) %% 5 END,
                CASE WHEN done AND g %% 30 = 0 THEN 'Comment ' || g ELSE '' END,
                created, created,
                CASE WHEN done THEN created + (1 + g %% 48) * interval '1 hour' END,
                CASE WHEN h %% 9 <> 0 THEN (%(techs)s::bigint[])[1 + g %% {len(techs)}] END,
                NULL, NULL,
                CASE WHEN NOT done THEN created + interval '2 days' END,
                CASE WHEN NOT done THEN created + interval '40 hours' END,
                CASE WHEN NOT done THEN created + interval '2 days' END
            FROM s
            """,  # noqa: S608
            params,
        )
        # The response clock of the ticket's tier: met within the hour, one in seven breached
        # and never answered; the last hour's still running.
        cur.execute(
            f"""
            INSERT INTO {c} (ticket_id, kind, tier, cycle, agreement_id, target_minutes,
                started_at, due_at, warn_at, met_at, breached_at, stopped_at, paused_seconds)
            SELECT id, 'response', tier, 1, %(agr)s, 60, created_at,
                created_at + interval '60 minutes', created_at + interval '48 minutes',
                CASE WHEN id %% 7 <> 0 AND created_at < %(now)s - interval '1 hour'
                     THEN created_at + (1 + id %% 55) * interval '1 minute' END,
                CASE WHEN id %% 7 = 0 AND created_at < %(now)s - interval '1 hour'
                     THEN created_at + interval '60 minutes' END,
                CASE WHEN id %% 7 = 0 AND created_at < %(now)s - interval '1 hour'
                     THEN created_at + interval '90 minutes' END,
                0
            FROM {t} WHERE id > %(first)s
            """,  # noqa: S608
            params,
        )
        cur.execute(
            f"""
            INSERT INTO {c} (ticket_id, kind, tier, cycle, agreement_id, target_minutes,
                started_at, due_at, warn_at, met_at, breached_at, paused_seconds)
            SELECT id, 'resolution', '', 1, %(agr)s, 2880, created_at,
                created_at + interval '2 days', created_at + interval '40 hours',
                resolved_at,
                CASE WHEN (resolved_at IS NULL AND created_at + interval '2 days' < %(now)s)
                       OR resolved_at > created_at + interval '2 days'
                     THEN created_at + interval '2 days' END,
                0
            FROM {t} WHERE id > %(first)s
            """,  # noqa: S608
            params,
        )
        cur.execute(
            f"""
            INSERT INTO {e} (ticket_id, kind, before, after, internal, created_at)
            SELECT id, 'created', '{{}}'::jsonb, jsonb_build_object('tier', 'L1'), false,
                created_at
            FROM {t} WHERE id > %(first)s
            UNION ALL
            SELECT id, 'tier', jsonb_build_object('tier', 'L1'),
                jsonb_build_object('tier', tier), false, created_at + interval '70 minutes'
            FROM {t} WHERE id > %(first)s AND tier <> 'L1'
            """,  # noqa: S608
            params,
        )
        cur.execute(
            f"""
            INSERT INTO {x} (ticket_id, from_tier, to_tier, kind, note, actions, created_at)
            SELECT id, 'L1', tier, 'manual', 'Bench hand-off.', '[]'::jsonb,
                created_at + interval '70 minutes'
            FROM {t} WHERE id > %(first)s AND tier <> 'L1'
            """,  # noqa: S608
            params,
        )
        cur.execute(f"ANALYZE {t}; ANALYZE {c}; ANALYZE {e}; ANALYZE {x}")


def time_page(*, manager: User, query: dict, repeat: int) -> tuple[float, float, int]:
    """(median ms, max ms, queries) of GET /dashboard/ in this process, as the manager."""
    client = Client()
    client.force_login(manager)
    url = reverse("dashboard")
    assert client.get(url, query).status_code == 200  # warm the connection and caches
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, query)
        runs.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    return statistics.median(runs), max(runs), len(queries)


def first_page(*, manager: User) -> None:
    """One GET /dashboard/ as the manager, not warmed (the first reader's page)."""
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("dashboard")).status_code == 200
