"""One size of `make bench`, inside an empty, migrated database of its own (PostgreSQL, the
production settings; `bench_suite` runs it). Prints one `BENCH-JSON {…}` line.

1. `bench_escalation` seeds the tickets and drains the breached ones with the broker on;
2. the dashboard rollups' refresh, the beat's periodic task (`reports.rollups_refresh`), as
   production runs it every TIERDESK_ROLLUP_REFRESH_SECONDS before and while managers read
   the dashboard (timed apart, not part of any page);
3. pages in-process (a manager, medians);
4. gunicorn (3 workers) under wrk from loopback: API list, queue, ticket creation.
"""

import io
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.services import api_token_create
from bench import suite
from reports.services import rollups_refresh


class Command(BaseCommand):
    help = "Seed, drain and time one size of `make bench` (run by bench_suite)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, required=True)
        parser.add_argument("--seconds", type=float, default=15)
        parser.add_argument("--clients", default="5,20")
        parser.add_argument("--repeat", type=int, default=15, help="Runs per in-process page.")
        parser.add_argument("--search", default="ticket 1234", help="The queue search term.")
        parser.add_argument(
            "--existing",
            action="store_true",
            help="Measure the database as it is (seeded before, e.g. by make bench --keep): "
            "no seeding, no drain.",
        )
        parser.add_argument(
            "--loads", default="api,queue,create", help="Which gunicorn loads to run."
        )

    def handle(self, *args, size, seconds, clients, repeat, search, existing, loads, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL.")
        load_before = os.getloadavg()[0]
        redis_url = settings.CELERY_BROKER_URL
        queued_before = suite.broker_length(redis_url)
        if existing:
            result = {}
        else:
            result = self._seed_and_drain(size=size, redis_url=redis_url, queued=queued_before)
        started = time.perf_counter()
        rows = rollups_refresh()  # what the beat has done by the time a manager looks
        result["refresh_s"] = time.perf_counter() - started
        self._say(
            f"dashboard rollups refreshed as the beat does (reports.rollups_refresh, "
            f"{settings.TIERDESK_ROLLUP_REFRESH_DAYS} days): {result['refresh_s']:.1f} s, "
            f"{rows:,} rows"
        )
        users = get_user_model().objects
        manager, customer = (
            users.get(username="bench_manager"),
            users.get(username="bench_customer"),
        )
        result["pages"], result["pages_p95"] = self._pages(manager, repeat=repeat, search=search)
        result["load"] = self._load(
            manager,
            customer,
            seconds=seconds,
            clients=[int(c) for c in clients.split(",")],
            names=[n for n in loads.split(",") if n],
        )
        suite.broker_trim(redis_url, keep=queued_before)
        result.update(size=size, cores=os.cpu_count(), loadavg=[load_before, os.getloadavg()[0]])
        self.stdout.write(suite.JSON_MARK + json.dumps(result))

    def _seed_and_drain(self, *, size: int, redis_url: str, queued: int) -> dict:
        escalation = io.StringIO()
        call_command(
            "bench_escalation",
            sizes=str(size),
            drain=suite.drain_size(size),
            naive_sample=0,
            per_clock_sample=0,
            processes=1,
            broker=True,
            stdout=escalation,
        )
        result = suite.parse_escalation(escalation.getvalue())
        result["drain_messages"] = suite.broker_length(redis_url) - queued
        suite.broker_trim(redis_url, keep=queued)
        self._say(
            f"seeded in {result['seed_s']:.1f} s; idle sweep {result['idle_ms']:.1f} ms; "
            f"{result['drained']:,} escalated in {result['drain_s']:.1f} s "
            f"({result['drain_messages']:,} broker messages)"
        )
        return result

    @staticmethod
    def _db_cpu(also: dict[int, float] | None = None) -> dict[int, float] | None:
        """CPU seconds so far of every other PostgreSQL backend of this database (the
        server's processes on this machine; None if they cannot be read). `also`: backends
        of an earlier reading, so one that ended since counts with its last figure."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            pids = {row[0] for row in cursor.fetchall()} | set(also or {})
        figures = {}
        for pid in pids:
            seconds = suite.process_cpu_seconds(pid)
            if seconds is None and also and pid in also:
                seconds = also[pid]
            if seconds is None:
                return None
            figures[pid] = seconds
        return figures

    def _say(self, message: str) -> None:
        self.stderr.write(f"  {connection.settings_dict['NAME']}: {message}")

    def _pages(self, manager, *, repeat: int, search: str) -> dict[str, float]:
        client = Client(headers={"X-Forwarded-Proto": "https"}, HTTP_HOST="127.0.0.1")
        client.force_login(manager)

        def get(path, **params):
            def call():
                response = client.get(path, params)
                if response.status_code != 200:
                    raise CommandError(f"{path} answered {response.status_code}")

            return call

        pages, tails = {}, {}
        for name, call in (
            ("queue", get("/queue/")),
            ("search", get("/queue/", q=search)),
            ("dashboard", get("/dashboard/")),
            ("api", get("/api/v1/tickets/")),
        ):
            runs = suite.timings_ms(call, repeat=repeat)
            pages[name], tails[name] = statistics.median(runs), suite.p95(runs)
            self._say(f"{name}: median {pages[name]:,.1f} ms, p95 {tails[name]:,.1f} ms")
        return pages, tails

    def _load(
        self, manager, customer, *, seconds: float, clients: list[int], names: list[str]
    ) -> dict:
        client = Client(headers={"X-Forwarded-Proto": "https"}, HTTP_HOST="127.0.0.1")
        client.force_login(manager)
        https = {"X-Forwarded-Proto": "https"}
        _token, manager_key = api_token_create(user=manager, name="bench")
        _token, customer_key = api_token_create(user=customer, name="bench")
        loads = {
            "api": suite.Load(
                "GET", "/api/v1/tickets/", {**https, "Authorization": f"Token {manager_key}"}
            ),
            "queue": suite.Load(
                "GET",
                "/queue/",
                {
                    **https,
                    "Cookie": f"{settings.SESSION_COOKIE_NAME}="
                    f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
                },
            ),
            "create": suite.Load(
                "POST",
                "/api/v1/tickets/",
                {**https, "Authorization": f"Token {customer_key}"},
                body=json.dumps(
                    {"subject": "Printer jams under load", "description": "From the load test."}
                ),
                expect=201,
            ),
        }
        port = suite.free_port()
        figures: dict[str, dict[str, dict[str, float]]] = {}
        with tempfile.TemporaryDirectory() as folder:
            web = suite.start_gunicorn(port=port, log=Path(folder) / "gunicorn.log")
            try:
                for name in names:
                    load = loads[name]
                    suite.check_once(port, load)
                    # Every worker imports its views on its first requests: not measured.
                    suite.wrk(port=port, load=load, clients=2 * suite.GUNICORN_WORKERS, seconds=1)
                    figures[name] = {}
                    for c in clients:
                        workers = suite.child_pids(web.pid)
                        web_before, db_before = suite.cpu_seconds(workers), self._db_cpu()
                        run = suite.wrk(port=port, load=load, clients=c, seconds=seconds)
                        db_after = self._db_cpu(also=db_before)
                        run["cpu_web_ms"] = suite.cpu_per_request(
                            web_before, suite.cpu_seconds(workers), run["requests"]
                        )
                        run["cpu_db_ms"] = suite.cpu_per_request(
                            sum(db_before.values()) if db_before else None,
                            sum(db_after.values()) if db_after else None,
                            run["requests"],
                        )
                        figures[name][str(c)] = run
                        self._say(f"gunicorn {name}, {c} clients: {run}")
            finally:
                suite.stop(web)
        return figures
