"""Where a drained clock's time goes: Python CPU, PostgreSQL backend CPU, WAL, per statement.

Against a database of its own (PostgreSQL, migrated; the manage.py settings):

  createdb -h 127.0.0.1 -U postgres bench_drain_tpl
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_drain_tpl
  .venv/bin/python manage.py migrate
  .venv/bin/python scripts/profile_drain.py load 300000     # open tickets, two clocks each
  # then per run, on a fresh copy (createdb -T bench_drain_tpl bench_drain_run …):
  DATABASE_URL=…/bench_drain_run .venv/bin/python scripts/profile_drain.py drain 10000 \
    [--sql] [--cprofile out.prof]

`drain N` makes N L1 response clocks due (bench.escalation.make_due), checkpoints, and times
the production sweep (one process, outbox rows written, Celery queueing off). CPU: this
process's `time.process_time()` and its backend's utime + stime (/proc, so PostgreSQL on
the same machine); WAL: the server's insert position before and after (other databases'
writes count too). `--sql`: wall time per statement (COPY and COMMIT not included).
"""

import collections
import contextlib
import cProfile
import os
import pstats
import re
import sys
import time

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench import escalation as bench  # noqa: E402
from escalation.models import Escalation, Notification  # noqa: E402
from tickets.models import TicketEvent  # noqa: E402


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        parts = stat.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def shape(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "N", sql)
    return re.sub(r"(%s, )+%s", "%s..", sql)[:150]


def main(mode: str, count: int, options: list[str]) -> None:
    if mode == "load":
        requester, agreement = bench.cast()
        bench.load(count=count, requester=requester, agreement=agreement, now=bench.now())
        print("open tickets", bench.open_tickets())
        return
    now = bench.now()
    bench.make_due(count=count, now=now)
    events_before = TicketEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_backend_pid(), pg_current_wal_insert_lsn()")
        pid, wal_before = cursor.fetchone()
    statements: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements[shape(sql)]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    profile = cProfile.Profile() if "--cprofile" in options else None
    wrap = connection.execute_wrapper(timed) if "--sql" in options else contextlib.nullcontext()
    pg_before, py_before, wall_before = backend_cpu(pid), time.process_time(), time.perf_counter()
    with wrap:
        if profile:
            profile.enable()
        _seconds, result = bench.drain(now=now)
        if profile:
            profile.disable()
    wall = time.perf_counter() - wall_before
    python, postgres = time.process_time() - py_before, backend_cpu(pid) - pg_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [wal_before])
        wal = float(cursor.fetchone()[0])
    print(
        f"{count} clocks: wall {wall:.2f} s, Python CPU {python:.2f} s, PostgreSQL CPU "
        f"{postgres:.2f} s; per clock: Python {python / count * 1000:.3f} ms, PostgreSQL "
        f"{postgres / count * 1000:.3f} ms, WAL {wal / count:,.0f} bytes; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        result.as_dict(),
        f"events {TicketEvent.objects.count() - events_before:,}",
        f"escalations {Escalation.objects.count():,}",
        f"outbox {Notification.objects.count():,}",
    )
    for sql, (calls, seconds) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:15]:
        print(f"{seconds:7.2f} s {calls:5d}  {sql}")
    if profile:
        out = options[options.index("--cprofile") + 1]
        profile.dump_stats(out)
        pstats.Stats(out).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
