"""Benchmark data and timings for `manage.py bench_escalation` (PostgreSQL only).

Tickets and clocks are inserted with INSERT … SELECT generate_series (a million
rows load in about a minute); the measured code is the production sweep.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from dataclasses import fields
from datetime import datetime, timedelta

import django
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Organisation, Role, Tier, User
from escalation.services.rules import Audience, active_rules
from escalation.services.sweep import SweepResult, escalation_sweep, escalation_sweep_batch
from sla.models import Agreement, Clock, ClockKind
from tickets.models import Status, Ticket


def cast() -> tuple[User, Agreement | None]:
    """A requester, one L2 technician and one manager (the default rules notify them)."""
    org, _ = Organisation.objects.get_or_create(name="Bench Org")
    requester, _ = User.objects.get_or_create(
        username="bench_customer", defaults={"organisation": org, "email": "c@bench.invalid"}
    )
    User.objects.get_or_create(
        username="bench_l2",
        defaults={"role": Role.TECHNICIAN, "tier": Tier.L2, "email": "l2@bench.invalid"},
    )
    User.objects.get_or_create(
        username="bench_manager", defaults={"role": Role.MANAGER, "email": "m@bench.invalid"}
    )
    return requester, Agreement.objects.filter(is_default=True).first()


def open_tickets() -> int:
    return Ticket.objects.filter(status__in=Status.active()).count()


def load(*, count: int, requester: User, agreement: Agreement | None, now: datetime) -> None:
    """`count` open L1 tickets with a running response and resolution clock, due in 1–2 days."""
    ticket_table = Ticket._meta.db_table
    clock_table = Clock._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {ticket_table}")  # noqa: S608
        first_new = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO {ticket_table} (subject, description, requester_id, organisation_id,
                priority, tier, status, is_vip, sla_breached, sla_paused, satisfaction_comment,
                created_at, updated_at, response_due_at, response_warn_at,
                resolution_due_at, resolution_warn_at, next_due_at)
            SELECT 'Bench ticket ' || g, 'Generated for the benchmark.', %(req)s, %(org)s,
                'P3', 'L1', 'open', false, false, false, '', %(now)s, %(now)s,
                %(now)s + interval '1 day' + (g %% 86400) * interval '1 second',
                %(now)s + interval '20 hours' + (g %% 86400) * interval '1 second',
                %(now)s + interval '2 days' + (g %% 86400) * interval '1 second',
                %(now)s + interval '40 hours' + (g %% 86400) * interval '1 second',
                %(now)s + interval '1 day' + (g %% 86400) * interval '1 second'
            FROM generate_series(1, %(n)s) AS g
            """,  # noqa: S608
            {"req": requester.pk, "org": requester.organisation_id, "now": now, "n": count},
        )
        for kind, tier, due, warn, minutes in (
            (ClockKind.RESPONSE, Tier.L1, "response_due_at", "response_warn_at", 60),
            (ClockKind.RESOLUTION, "", "resolution_due_at", "resolution_warn_at", 1800),
        ):
            cur.execute(
                f"""
                INSERT INTO {clock_table} (ticket_id, kind, tier, cycle, agreement_id,
                    target_minutes, started_at, due_at, warn_at, paused_seconds)
                SELECT id, %(kind)s, %(tier)s, 1, %(agr)s, %(min)s, created_at, {due}, {warn}, 0
                FROM {ticket_table} WHERE id > %(first)s
                """,  # noqa: S608
                {
                    "kind": kind,
                    "tier": tier,
                    "agr": agreement.pk if agreement else None,
                    "min": minutes,
                    "first": first_new,
                },
            )
        cur.execute(f"ANALYZE {ticket_table}; ANALYZE {clock_table}")


def time_idle_sweep(*, repeat: int = 25) -> tuple[float, float]:
    """(median, max) milliseconds of a sweep that finds nothing due."""
    escalation_sweep(queue=False)  # warm caches and the connection
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = escalation_sweep(queue=False)
        runs.append((time.perf_counter() - started) * 1000)
        assert result.breaches == result.warnings == 0, result
    return statistics.median(runs), max(runs)


def explain_due_query(now: datetime) -> str:
    due = Clock.objects.running().filter(due_at__lte=now).order_by("due_at", "id")
    return due.values_list("id", "due_at")[:500].explain()


def make_due(*, count: int, now: datetime) -> list[int]:
    """Make `count` L1 response clocks overdue at once (their warnings already sent)."""
    ids = list(
        Clock.objects.filter(
            kind=ClockKind.RESPONSE, tier=Tier.L1, breached_at__isnull=True, met_at__isnull=True
        )
        .order_by("-id")
        .values_list("id", flat=True)[:count]
    )
    for start in range(0, len(ids), 10_000):
        Clock.objects.filter(pk__in=ids[start : start + 10_000]).update(
            due_at=now - timedelta(minutes=1),
            warn_at=now - timedelta(minutes=13),
            warned_at=now - timedelta(minutes=13),
        )
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {Clock._meta.db_table}")
    return ids


def drain(
    *, now: datetime, batch_size: int | None = None, queue: bool = False
) -> tuple[float, SweepResult]:
    """The drain in this process; `queue=True` hands the outbox rows to the broker after each
    batch's commit, as production does (the production configuration: broker on)."""
    started = time.perf_counter()
    result = escalation_sweep(now=now, queue=queue, batch_size=batch_size)
    return time.perf_counter() - started, result


def drain_parallel(*, now: datetime, processes: int) -> tuple[float, SweepResult]:
    """The drain with `processes` OS processes, each running the sweep's batch service on
    batches of the due clocks (what workers do when the sweep fans out); then one
    ordinary sweep, which must find nothing left."""
    started = time.perf_counter()
    due = Clock.objects.filter(
        met_at__isnull=True,
        breached_at__isnull=True,
        paused_at__isnull=True,
        stopped_at__isnull=True,
        due_at__lte=now,
    ).order_by("due_at", "id")
    ids = list(due.values_list("id", flat=True))
    size = settings.TIERDESK_ESCALATION_BATCH_SIZE
    batches = [(ids[i : i + size], now) for i in range(0, len(ids), size)]
    total = SweepResult()
    connections.close_all()  # a forked child must not share the parent's socket
    with multiprocessing.get_context("fork").Pool(processes, initializer=_child_setup) as pool:
        for part in pool.imap_unordered(_child_batch, batches):
            _merge(total, part)
    _merge(total, escalation_sweep(now=now, queue=False))
    return time.perf_counter() - started, total


def _merge(total: SweepResult, part: SweepResult) -> None:
    for f in fields(SweepResult):
        if f.type in ("int", int):
            setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))


_child: dict = {}


def _child_setup() -> None:
    django.setup()
    connections.close_all()
    _child["rules"], _child["audience"] = active_rules(), Audience()


def _child_batch(args: tuple[list[int], datetime]) -> SweepResult:
    clock_ids, now = args
    return escalation_sweep_batch(
        clock_ids=clock_ids,
        breach=True,
        now=now,
        queue=False,
        rules=_child["rules"],
        audience=_child["audience"],
    )


def naive_scan(*, sample: int, now: datetime) -> tuple[float, int, int]:
    """The loop we avoid: every open ticket, its clocks read and checked in Python.

    Processes what it finds due with the sweep's batch service, one clock at a time.
    Returns (seconds, tickets scanned, clocks processed).
    """
    rules, audience, result = active_rules(), Audience(), SweepResult()
    started = time.perf_counter()
    scanned = 0
    tickets = Ticket.objects.filter(status__in=Status.active()).order_by("id")
    for ticket in tickets.only("id").iterator(chunk_size=2000):
        scanned += 1
        for clock in Clock.objects.filter(ticket_id=ticket.pk):
            if clock.is_running and clock.due_at <= now:
                _merge(
                    result,
                    escalation_sweep_batch(
                        clock_ids=[clock.pk],
                        breach=True,
                        now=now,
                        queue=False,
                        rules=rules,
                        audience=audience,
                    ),
                )
        if scanned >= sample:
            break
    return time.perf_counter() - started, scanned, result.breaches


def now() -> datetime:
    return timezone.now()
