"""One size of `make bench`, inside an empty, migrated database of its own (PostgreSQL, the
production settings; `bench_suite` runs it). Prints one `BENCH-JSON {…}` line.

1. `bench_escalation` seeds the tickets and drains the breached ones with the broker on;
2. pages in-process (a manager, medians);
3. gunicorn (3 workers) under wrk from loopback: API list, queue, ticket creation.
"""

import io
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.services import api_token_create
from bench import suite


class Command(BaseCommand):
    help = "Seed, drain and time one size of `make bench` (run by bench_suite)."

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, required=True)
        parser.add_argument("--seconds", type=float, default=15)
        parser.add_argument("--clients", default="5,20")
        parser.add_argument("--repeat", type=int, default=15, help="Runs per in-process page.")
        parser.add_argument("--search", default="ticket 1234", help="The queue search term.")

    def handle(self, *args, size, seconds, clients, repeat, search, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL.")
        load_before = os.getloadavg()[0]
        redis_url = settings.CELERY_BROKER_URL
        queued_before = suite.broker_length(redis_url)
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
        result["drain_messages"] = suite.broker_length(redis_url) - queued_before
        suite.broker_trim(redis_url, keep=queued_before)
        self._say(
            f"seeded in {result['seed_s']:.1f} s; idle sweep {result['idle_ms']:.1f} ms; "
            f"{result['drained']:,} escalated in {result['drain_s']:.1f} s "
            f"({result['drain_messages']:,} broker messages)"
        )

        users = get_user_model().objects
        manager, customer = (
            users.get(username="bench_manager"),
            users.get(username="bench_customer"),
        )
        result["pages"] = self._pages(manager, repeat=repeat, search=search)
        result["load"] = self._load(
            manager, customer, seconds=seconds, clients=[int(c) for c in clients.split(",")]
        )
        suite.broker_trim(redis_url, keep=queued_before)
        result.update(size=size, cores=os.cpu_count(), loadavg=[load_before, os.getloadavg()[0]])
        self.stdout.write(suite.JSON_MARK + json.dumps(result))

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

        pages = {}
        for name, call in (
            ("queue", get("/queue/")),
            ("search", get("/queue/", q=search)),
            ("dashboard", get("/dashboard/")),
            ("api", get("/api/v1/tickets/")),
        ):
            pages[name] = suite.median_ms(call, repeat=repeat)
            self._say(f"{name}: median {pages[name]:,.1f} ms")
        return pages

    def _load(self, manager, customer, *, seconds: float, clients: list[int]) -> dict:
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
                for name, load in loads.items():
                    suite.check_once(port, load)
                    # Every worker imports its views on its first requests: not measured.
                    suite.wrk(port=port, load=load, clients=2 * suite.GUNICORN_WORKERS, seconds=1)
                    figures[name] = {}
                    for c in clients:
                        figures[name][str(c)] = suite.wrk(
                            port=port, load=load, clients=c, seconds=seconds
                        )
                        self._say(f"gunicorn {name}, {c} clients: {figures[name][str(c)]}")
            finally:
                suite.stop(web)
        return figures
