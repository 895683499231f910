# ruff: noqa: S608 - SQL built from this module's constants only
"""The active-ticket counts (reports.models.ActiveCount): the triggers that keep them, the
fold and the recount. SQL for PostgreSQL and SQLite; nothing else touches these rows.

Why triggers and not a call in each ticket service: a ticket becomes active or inactive,
changes tier, assignee, organisation or breach through many writers — the ticket services,
the SLA engine's column sync, the sweep, merges, releases, bulk actions, but also a user's
deletion (assignee SET NULL), the admin, fixtures and the benchmarks' INSERT … SELECT. A
trigger sees every one of them, in the writer's transaction, so the counts cannot drift,
and a new writer cannot forget them. The application issues no extra statement: the
trigger runs inside the writer's own INSERT / UPDATE / DELETE.

- PostgreSQL: statement-level triggers with transition tables, one INSERT … SELECT of the
  changed keys per statement (a sweep batch of 1,000 tickets adds a handful of rows, and an
  update that changes no counted column adds none: its −1 and +1 cancel).
- SQLite: row-level triggers (SQLite has no statement-level ones), only when a counted
  column changed.

The migrations install the triggers with `install_sql` (reports/migrations/0003): a change
to the definitions below needs a migration that installs them again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from tickets.models import Status

TABLE = "reports_activecount"
TICKETS = "tickets_ticket"
# Rows of hours older than this are folded into the "long ago" row (created_hour NULL):
# they are "over 7 days" for good. More than 7 days and an hour, so a row never crosses.
FOLD_AFTER = dt.timedelta(days=8)
COLUMNS = "kind, organisation_id, tier, created_hour, assignee_id, breached, n"
PG_HOUR = "date_trunc('hour', created_at, 'UTC')"
SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00', created_at)"


def _in(statuses: Sequence[str]) -> str:
    for status in statuses:
        if not re.fullmatch(r"[a-z_]+", status):
            raise ValueError(f"unexpected status {status!r}")
    return "(" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _grouped_insert(source: str, hour: str) -> str:
    """INSERT the sums of `source` (rows of organisation_id, tier, created_at, assignee_id,
    sla_breached, n) per backlog and workload key, for the organisation and for all."""
    return f"""
        WITH d AS ({source}),
        o AS (
            SELECT organisation_id AS org, tier, {hour} AS hour, assignee_id, sla_breached, n
            FROM d
            UNION ALL
            SELECT 0, tier, {hour}, assignee_id, sla_breached, n FROM d
        )
        INSERT INTO {TABLE} ({COLUMNS})
        SELECT 'backlog', org, tier, hour, NULL, FALSE, SUM(n) FROM o
        GROUP BY org, tier, hour HAVING SUM(n) <> 0
        UNION ALL
        SELECT 'workload', org, '', NULL, assignee_id, sla_breached, SUM(n) FROM o
        WHERE assignee_id IS NOT NULL
        GROUP BY org, assignee_id, sla_breached HAVING SUM(n) <> 0
    """


def _rows(table: str, n: int, statuses: Sequence[str]) -> str:
    return (
        f"SELECT organisation_id, tier, created_at, assignee_id, sla_breached, {n} AS n "
        f"FROM {table} WHERE status IN {_in(statuses)}"
    )


def _postgres_install(statuses: Sequence[str]) -> list[str]:
    sources = {
        "insert": ("INSERT", "NEW TABLE AS new_rows", _rows("new_rows", 1, statuses)),
        "update": (
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            f"{_rows('old_rows', -1, statuses)} UNION ALL {_rows('new_rows', 1, statuses)}",
        ),
        "delete": ("DELETE", "OLD TABLE AS old_rows", _rows("old_rows", -1, statuses)),
    }
    statements = []
    for name, (event, tables, source) in sources.items():
        function = f"{TABLE}_{name}"
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {_grouped_insert(source, PG_HOUR)}; RETURN NULL; END $$""",
            f"DROP TRIGGER IF EXISTS {function} ON {TICKETS}",
            f"""CREATE TRIGGER {function} AFTER {event} ON {TICKETS} REFERENCING {tables}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]
    statements += [
        f"""CREATE OR REPLACE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN DELETE FROM {TABLE}; RETURN NULL; END $$""",
        f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON {TICKETS}",
        f"""CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON {TICKETS}
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncate()""",
    ]
    return statements


def _sqlite_rows(row: str, n: int, when_backlog: str, when_workload: str) -> str:
    orgs = f"(SELECT {row}.organisation_id AS org UNION ALL SELECT 0)"
    hour = f"strftime('%Y-%m-%d %H:00:00', {row}.created_at)"
    return f"""
        INSERT INTO {TABLE} ({COLUMNS})
        SELECT 'backlog', org, {row}.tier, {hour}, NULL, 0, {n} FROM {orgs} WHERE {when_backlog};
        INSERT INTO {TABLE} ({COLUMNS})
        SELECT 'workload', org, '', NULL, {row}.assignee_id, {row}.sla_breached, {n} FROM {orgs}
        WHERE {row}.assignee_id IS NOT NULL AND {when_workload};
    """


def _sqlite_install(statuses: Sequence[str]) -> list[str]:
    active = _in(statuses)
    old_on, new_on = f"OLD.status IN {active}", f"NEW.status IN {active}"
    moved = (
        f"(({old_on}) IS NOT ({new_on}) OR OLD.organisation_id IS NOT NEW.organisation_id"
        " OR OLD.tier IS NOT NEW.tier OR OLD.created_at IS NOT NEW.created_at)"
    )
    reassigned = (
        f"(({old_on}) IS NOT ({new_on}) OR OLD.organisation_id IS NOT NEW.organisation_id"
        " OR OLD.assignee_id IS NOT NEW.assignee_id OR OLD.sla_breached IS NOT NEW.sla_breached)"
    )
    update = _sqlite_rows("OLD", -1, f"{old_on} AND {moved}", f"{old_on} AND {reassigned}")
    update += _sqlite_rows("NEW", 1, f"{new_on} AND {moved}", f"{new_on} AND {reassigned}")
    triggers = {
        "insert": ("INSERT", new_on, _sqlite_rows("NEW", 1, "1", "1")),
        "update": ("UPDATE", f"{old_on} OR {new_on}", update),
        "delete": ("DELETE", old_on, _sqlite_rows("OLD", -1, "1", "1")),
    }
    statements = []
    for name, (event, when, body) in triggers.items():
        trigger = f"{TABLE}_{name}"
        statements += [
            f"DROP TRIGGER IF EXISTS {trigger}",
            f"CREATE TRIGGER {trigger} AFTER {event} ON {TICKETS} WHEN {when} BEGIN {body} END",
        ]
    return statements


def install_sql(vendor: str, statuses: Sequence[str]) -> list[str]:
    """The statements that (re)create the triggers for `statuses` (the active ones)."""
    if vendor == "postgresql":
        return _postgres_install(statuses)
    if vendor == "sqlite":
        return _sqlite_install(statuses)
    raise NotImplementedError(f"active counts need PostgreSQL or SQLite, not {vendor}")


def uninstall_sql(vendor: str) -> list[str]:
    names = [f"{TABLE}_{op}" for op in ("insert", "update", "delete", "truncate")]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {n} ON {TICKETS}" for n in names] + [
            f"DROP FUNCTION IF EXISTS {n}()" for n in names
        ]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


def count_sql(vendor: str, statuses: Sequence[str]) -> list[str]:
    """Replace every row by the counts of the ticket table. On PostgreSQL one statement, so
    the rows deleted and the tickets counted are one snapshot: a writer that commits during
    it keeps its own rows (not deleted, not counted)."""
    source = _rows(TICKETS, 1, statuses)
    if vendor == "postgresql":
        insert = _grouped_insert(source, PG_HOUR).strip()
        assert insert.startswith("WITH ")
        return [f"WITH gone AS (DELETE FROM {TABLE}), {insert[5:]}"]
    # SQLite: one writer at a time, the transaction holds the database.
    return [f"DELETE FROM {TABLE}", _grouped_insert(source, SQLITE_HOUR)]


def active_counts_recount() -> None:
    """Count every active ticket again (`rollups_rebuild`; the triggers keep them exact, this
    is for a database restored or written with the triggers off), then fold."""
    with connection.cursor() as cursor:
        for statement in count_sql(connection.vendor, Status.active()):
            cursor.execute(statement)
    active_counts_fold()


def active_counts_fold(*, now: dt.datetime | None = None) -> None:
    """One row per key: the rows summed (zeros dropped), hours older than FOLD_AFTER
    summed into the "long ago" row. The rows stay a few per tier, hour and technician
    whatever the number of tickets or changes.

    PostgreSQL: one statement (the rows deleted are the rows summed, one snapshot; rows a
    writer commits meanwhile stay as they are). SQLite: one writer at a time."""
    now = now or timezone.now()
    cutoff = (now - FOLD_AFTER).replace(minute=0, second=0, microsecond=0)
    hour = "CASE WHEN created_hour < %s THEN NULL ELSE created_hour END"
    summed = (
        f"SELECT kind, organisation_id, tier, {hour} AS h, assignee_id, breached, SUM(n) "
        "FROM {source} GROUP BY kind, organisation_id, tier, h, assignee_id, breached "
        "HAVING SUM(n) <> 0"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {TABLE} RETURNING *) "
                f"INSERT INTO {TABLE} ({COLUMNS}) {summed.format(source='gone')}",
                [cutoff],
            )
            return
        cursor.execute("SELECT MAX(id) FROM " + TABLE)
        last = cursor.fetchone()[0]
        if last is None:
            return
        where = f"(SELECT * FROM {TABLE} WHERE id <= %s)"
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) {summed.format(source=where)}",
            [connection.ops.adapt_datetimefield_value(cutoff), last],
        )
        cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [last])
