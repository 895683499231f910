"""common.bulk on the database the run uses; the last test runs this file again on SQLite."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common import bulk
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

ON_SQLITE = "TIERDESK_BULK_ON_SQLITE"


def events_for(ticket, n, **extra):
    return [
        bulk.new_instance(
            TicketEvent,
            ticket_id=ticket.pk,
            actor=None,
            kind=EventKind.NOTE,
            after={"n": i, "text": "ä \t\\ \n"},
            created_at=timezone.now(),
            **extra,
        )
        for i in range(n)
    ]


def test_new_instance_matches_the_model_constructor(alice):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    built = bulk.new_instance(TicketEvent, ticket_id=ticket.pk, actor=alice, kind=EventKind.NOTE)
    plain = TicketEvent(ticket_id=ticket.pk, actor=alice, kind=EventKind.NOTE)
    for field in TicketEvent._meta.concrete_fields:
        if field.attname != "created_at":
            assert getattr(built, field.attname) == getattr(plain, field.attname), field
    assert built.actor is alice and built._state.adding


@pytest.mark.parametrize("count", [3, bulk.COPY_FROM + 5])
def test_insert_in_bulk_writes_every_value_and_reserves_ids(alice, count):
    ticket = ticket_create(requester=alice, subject="s", description="d")
    rows = bulk.insert_in_bulk(events_for(ticket, count, internal=True), need_ids=True)
    assert all(row.pk for row in rows) and len({row.pk for row in rows}) == count
    stored = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE).order_by("id")
    assert [e.after for e in stored] == [{"n": i, "text": "ä \t\\ \n"} for i in range(count)]
    assert all(e.internal and e.actor_id is None for e in stored)
    assert {e.pk for e in stored} == {row.pk for row in rows}


@pytest.mark.parametrize("count", [1, 2, 60])
def test_update_in_bulk_sets_each_row_its_own_values(alice, count):
    tickets = [
        ticket_create(requester=alice, subject=f"s{n}", description="d") for n in range(count)
    ]
    base = timezone.now().replace(microsecond=0)
    rows = [
        (t.pk, {"response_due_at": base + timedelta(minutes=n), "sla_paused": n % 2 == 1})
        for n, t in enumerate(tickets)
    ]
    with transaction.atomic():
        bulk.update_in_bulk(Ticket, rows=rows, columns=("response_due_at", "sla_paused"))
        # A second update of the same columns in the same transaction (the temporary table
        # is reused, emptied first).
        bulk.update_in_bulk(Ticket, rows=rows[:1], columns=("response_due_at", "sla_paused"))
    for n, ticket in enumerate(tickets):
        ticket.refresh_from_db()
        assert ticket.response_due_at == base + timedelta(minutes=n)
        assert ticket.sla_paused is (n % 2 == 1)


def test_fetch_reads_what_the_orm_reads(alice):
    for n in range(3):
        ticket_create(requester=alice, subject=f"s{n}", description="d")
    queryset = Ticket.objects.order_by("id")
    fast = bulk.fetch(queryset, skip=frozenset({"description"}))
    slow = list(queryset)
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow, strict=True):
        assert (a.pk, a.created_at, a.updated_at, a.subject) == (
            b.pk,
            b.created_at,
            b.updated_at,
            b.subject,
        )
        assert a.created_at.tzinfo is not None
        # Every field the same, the skipped one deferred (read on access), a saved instance.
        names = [f.attname for f in Ticket._meta.concrete_fields if f.name != "description"]
        assert {n: getattr(a, n) for n in names} == {n: getattr(b, n) for n in names}
        assert a.get_deferred_fields() == {"description"}
        assert (a._state.adding, a._state.db) == (False, b._state.db)
        assert a.description == b.description
        assert a == b and a.requester == b.requester


def test_pending_on_commit_finds_a_queued_job():
    class Job:
        def __call__(self):
            pass

    assert bulk.pending_on_commit(Job) is None
    with transaction.atomic():
        job = Job()
        transaction.on_commit(job)
        assert bulk.pending_on_commit(Job) is job


@pytest.mark.skipif(bool(os.environ.get(ON_SQLITE)), reason="this is the SQLite run itself")
def test_the_same_tests_pass_on_sqlite():
    assert connection.vendor == "postgresql"
    env = os.environ | {
        ON_SQLITE: "1",
        # A "test_" name: the test database is then SQLite's in-memory one.
        "DATABASE_URL": "sqlite:///test_bulk.sqlite3",
    }
    run = subprocess.run(  # noqa: S603 - our own test file, our interpreter
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            __file__,
            "-k",
            "not sqlite",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
