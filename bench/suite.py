"""`make bench`: PostgreSQL seeded at several sizes, what people wait for, one table.

`manage.py bench_suite` (the orchestrator, no database of its own) creates one database per
size (`bench_20k`, `bench_100k`, `bench_1m`), migrates it and runs `manage.py bench_measure`
in it with the production settings. That command seeds and drains through
`bench_escalation` (tickets and clocks by INSERT … SELECT generate_series; the drain with the
broker on), times pages in-process, then starts gunicorn (production settings, 3 workers)
and puts load on it with wrk from loopback. Each size answers one JSON line; the
orchestrator prints the table and drops the databases.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
JSON_MARK = "BENCH-JSON "
BROKER_QUEUE = "celery"  # Celery's default queue: a Redis list of the broker's database
GUNICORN_WORKERS = 3
CLIENTS = (5, 20)
# Throttles a person would hit in seconds: lifted so the load measures the server, not them.
UNTHROTTLED = {
    "TIERDESK_THROTTLE_TICKET_USER": "100000000/min",
    "TIERDESK_THROTTLE_TICKET_IP": "100000000/min",
}


def size_label(size: int) -> str:
    """20000 → 20k, 1000000 → 1M (database names use it in lower case)."""
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def drain_size(size: int) -> int:
    """Breached clocks escalated at once: half the tickets, at most 100,000."""
    return min(size // 2, 100_000)


# ----------------------------------------------------------------------------- databases


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(server_url: str) -> Any:
    """A Django connection to the server's `postgres` database (autocommit: CREATE and DROP
    DATABASE run outside transactions), whatever this process's own settings are."""
    import environ
    from django.db.backends.base.base import NO_DB_ALIAS
    from django.db.utils import ConnectionHandler

    # Django's own alias for a connection to the maintenance database (no type handlers).
    config = environ.Env.db_url_config(with_database(server_url, "postgres"))
    return ConnectionHandler({"default": config, NO_DB_ALIAS: config})[NO_DB_ALIAS]


def _execute(server_url: str, statement: str) -> None:
    admin = _admin(server_url)
    try:
        with admin.cursor() as cursor:
            cursor.execute(statement)
    finally:
        admin.close()


def drop_database(server_url: str, name: str) -> None:
    quoted = _admin(server_url).ops.quote_name(name)
    _execute(server_url, f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


def create_database(server_url: str, name: str) -> None:
    drop_database(server_url, name)
    quoted = _admin(server_url).ops.quote_name(name)
    _execute(server_url, f"CREATE DATABASE {quoted}")


# ----------------------------------------------------------------------------- processes


def production_env(
    *, database_url: str, redis_url: str, secret_key: str, static_root: str
) -> dict[str, str]:
    """The production settings pointed at a bench database, this machine's Redis and a
    collected static folder. Only the throttles are lifted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TIERDESK_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="helpdesk.settings.production",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        DJANGO_STATIC_ROOT=static_root,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL="WARNING",
        # No workers run here: the drain runs every batch in its own process.
        TIERDESK_ESCALATION_FANOUT_BATCHES="0",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **UNTHROTTLED,
    )
    return env


def manage(
    args: list[str], env: dict[str, str], *, timeout: float = 4 * 3600, progress: bool = False
) -> str:
    """Run a manage.py command; its stdout is returned, its stderr shown as it comes when
    `progress` (a long measurement says what it has done so far)."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=None if progress else subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def measure_in(
    env: dict[str, str],
    *,
    size: int,
    seconds: float,
    clients: str,
    repeat: int,
    extra: list[str] | None = None,
) -> dict[str, Any]:
    args = ["--size", str(size), "--seconds", str(seconds), "--clients", clients, *(extra or [])]
    out = manage(["bench_measure", *args, "--repeat", str(repeat)], env, progress=True)
    lines = [line for line in out.splitlines() if line.startswith(JSON_MARK)]
    if not lines:
        raise RuntimeError(f"bench_measure printed no figures:\n{out}")
    return json.loads(lines[-1][len(JSON_MARK) :])


def broker_length(redis_url: str) -> int:
    import redis

    return int(redis.Redis.from_url(redis_url).llen(BROKER_QUEUE))


def broker_trim(redis_url: str, *, keep: int) -> int:
    """Drop the messages pushed since the list held `keep` (Celery pushes on the left, so
    the newest are there); returns how many were dropped."""
    import redis

    client = redis.Redis.from_url(redis_url)
    extra = int(client.llen(BROKER_QUEUE)) - keep
    if extra > 0:
        client.lpop(BROKER_QUEUE, extra)
    return max(extra, 0)


# ----------------------------------------------------------------------------- gunicorn + wrk


def start_gunicorn(*, port: int, log: Path) -> subprocess.Popen:
    """docker-compose's web command on loopback, 3 workers, in this process's environment;
    gunicorn reads gunicorn.conf.py (gthread) from the project folder as in the image."""
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                str(BIN / "gunicorn"),
                "helpdesk.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(GUNICORN_WORKERS),
                "--access-logfile",
                "-",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not answer:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Load:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""
    expect: int = 200


def check_once(port: int, load: Load) -> None:
    """One request before the load: wrk counts a 3xx as success, so the status is checked."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"http://127.0.0.1:{port}{load.path}",
        data=load.body.encode() if load.body else None,
        headers={**load.headers, **({"Content-Type": "application/json"} if load.body else {})},
        method=load.method,
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != load.expect:
        raise RuntimeError(f"{load.method} {load.path} answered {status}, not {load.expect}")


def wrk(*, port: int, load: Load, clients: int, seconds: float) -> dict[str, float]:
    """Requests/s, p50/p95/p99 (ms) and errors of `clients` connections for `seconds`."""
    executable = shutil.which("wrk")
    if executable is None:
        raise RuntimeError("wrk is missing: run scripts/ensure_wrk.sh (make bench does).")
    command = [
        executable,
        f"-t{min(2, clients)}",
        f"-c{clients}",
        f"-d{max(int(seconds), 1)}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_SCRIPT),
    ]
    for name, value in load.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{load.path}")
    env = {**os.environ, "BENCH_METHOD": load.method, "BENCH_BODY": load.body}
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, env=env, timeout=seconds + 60, check=True
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH-WRK "))
    raw = json.loads(line.removeprefix("BENCH-WRK "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "requests": raw["requests"],
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "errors": errors,
    }


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (Linux /proc; None elsewhere or
    for a process this user may not read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                continue
            if parent == str(pid):
                children.append(int(entry.name))
    return children


def cpu_seconds(pids: list[int]) -> float | None:
    figures = [process_cpu_seconds(pid) for pid in pids]
    return None if not figures or None in figures else sum(f for f in figures if f is not None)


def cpu_per_request(before: float | None, after: float | None, requests: float) -> float | None:
    """Milliseconds of CPU per request between two readings (None if either is missing)."""
    if before is None or after is None or not requests:
        return None
    return (after - before) * 1000 / requests


# ----------------------------------------------------------------------------- in-process


def median_ms(
    call: Callable[[], Any], *, repeat: int, warm: int = 2, budget_s: float = 60, least: int = 3
) -> float:
    """Median of `repeat` timed calls after `warm` untimed ones; a page that takes seconds
    stops after `budget_s` of timed calls (but never before `least` of them)."""
    return statistics.median(
        timings_ms(call, repeat=repeat, warm=warm, budget_s=budget_s, least=least)
    )


def p95(runs: list[float]) -> float:
    """The 95th percentile (nearest rank) of some timings."""
    ordered = sorted(runs)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timings_ms(
    call: Callable[[], Any], *, repeat: int, warm: int = 2, budget_s: float = 60, least: int = 3
) -> list[float]:
    """Milliseconds of each timed call (as median_ms times them)."""
    for _ in range(warm):
        call()
    runs: list[float] = []
    began = time.perf_counter()
    while len(runs) < repeat and (len(runs) < least or time.perf_counter() - began < budget_s):
        started = time.perf_counter()
        call()
        runs.append((time.perf_counter() - started) * 1000)
    return runs


_IDLE_ROW = re.compile(r"^\s*([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")
_DRAIN = re.compile(r"drain: ([\d,]+) clocks breached at once among ([\d,]+) open tickets")
_SWEEP = re.compile(r"sweep: ([\d.]+) s \(")


def parse_escalation(output: str) -> dict[str, float]:
    """The figures `bench_escalation` prints: load seconds and idle sweep of the last size,
    and the drain."""
    idle = [m for line in output.splitlines() if (m := _IDLE_ROW.match(line))]
    drain, sweep = _DRAIN.search(output), _SWEEP.search(output)
    if not (idle and drain and sweep):
        raise RuntimeError(f"bench_escalation's output changed; cannot read:\n{output}")
    last = idle[-1]
    return {
        "open": int(last.group(1).replace(",", "")),
        "seed_s": float(last.group(2)),
        "idle_ms": float(last.group(3)),
        "idle_max_ms": float(last.group(4)),
        "drained": int(drain.group(1).replace(",", "")),
        "drain_s": float(sweep.group(1)),
    }


def new_secret() -> str:
    return secrets.token_urlsafe(50)


# ----------------------------------------------------------------------------- the table


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _load_cell(figures: dict[str, float]) -> str:
    rate = f"{figures['rps']:,.0f}" if figures["rps"] >= 10 else f"{figures['rps']:.1f}"
    cell = (
        f"{rate}/s · p50/p95/p99 {figures['p50']:,.0f}/{figures['p95']:,.0f}/"
        f"{figures['p99']:,.0f} ms · {figures['errors']:.0f} errors"
    )
    web, db = figures.get("cpu_web_ms"), figures.get("cpu_db_ms")
    if web is not None and db is not None:
        cell += f" · CPU/request {web:.1f} + {db:.1f} ms (gunicorn + PostgreSQL)"
    return cell


ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("seed: tickets + 2 clocks each (INSERT … SELECT)", lambda r: f"{r['seed_s']:.1f} s"),
    (
        "escalate breached tickets at once, broker on, one process",
        lambda r: f"{r['drain_s']:.1f} s for {r['drained']:,} ({r['drain_messages']:,} messages)",
    ),
    ("idle sweep (median of 25)", lambda r: _ms(r["idle_ms"])),
    (
        "dashboard rollup refresh before the pages (the beat's task, as in production)",
        lambda r: f"{r['refresh_s']:.1f} s",
    ),
    ("`/queue/` first page (median)", lambda r: _ms(r["pages"]["queue"])),
    ("`/queue/?q=…` search (median)", lambda r: _ms(r["pages"]["search"])),
    ("`/dashboard/` manager, default period (median)", lambda r: _ms(r["pages"]["dashboard"])),
    ("`/api/v1/tickets/` first page (median)", lambda r: _ms(r["pages"]["api"])),
    ("`/queue/` first page (p95)", lambda r: _ms(r["pages_p95"]["queue"])),
    ("`/api/v1/tickets/` first page (p95)", lambda r: _ms(r["pages_p95"]["api"])),
]


def load_rows(clients: list[int]) -> list[tuple[str, Callable[[dict[str, Any]], str]]]:
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = []

    def cell(name: str, clients: int) -> Callable[[dict[str, Any]], str]:
        return lambda r: _load_cell(r["load"][name][str(clients)])

    for name, title in (
        ("api", "gunicorn `/api/v1/tickets/`"),
        ("queue", "gunicorn `/queue/`"),
        ("create", "gunicorn ticket creation `POST /api/v1/tickets/`"),
    ):
        for c in clients:
            rows.append((f"{title}, {c} clients", cell(name, c)))
    return rows


def table(results: list[dict[str, Any]], *, clients: list[int]) -> str:
    cores = {r["cores"] for r in results}
    header = ["measurement", "cores", *[size_label(r["size"]) + " tickets" for r in results]]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in results) + " |",
    ]
    rows = [
        *ROWS,
        *load_rows(clients),
        (
            "machine load (1-min average, start → end)",
            lambda r: f"{r['loadavg'][0]:.1f} → {r['loadavg'][1]:.1f}",
        ),
    ]
    for title, cell in rows:
        try:
            cells = [cell(r) for r in results]
        except KeyError:  # not measured (an existing database: no seeding, no drain)
            continue
        lines.append(
            f"| {title} | {'/'.join(map(str, sorted(cores)))} | " + " | ".join(cells) + " |"
        )
    return "\n".join(lines)
