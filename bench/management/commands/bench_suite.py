"""`make bench`: seed PostgreSQL at each size, time what people wait for, print one table.

  make bench                                  # 20k, 100k and 1M tickets (long: ~15 min)
  make bench SIZES=20000 SECONDS=5            # the quick one

Each size gets a database of its own (`<prefix>_<size>`, e.g. bench_20k), created fresh,
migrated, measured with the production settings (see bench/suite.py) and dropped at the
end (--keep keeps them). Broker messages the run queues in Redis are removed again.
"""

import os
import sys
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import suite


def _server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if url.startswith("postgres"):
        return url
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return "postgres://postgres@127.0.0.1:5432/postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/postgres"
    )


class Command(BaseCommand):
    help = "Seed 20k/100k/1M tickets on PostgreSQL and print one table of timings."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="20000,100000,1000000")
        parser.add_argument("--seconds", type=float, default=15, help="Length of each load run.")
        parser.add_argument("--clients", default="5,20", help="Concurrent clients per load run.")
        parser.add_argument("--prefix", default="bench", help="Database names: <prefix>_20k …")
        parser.add_argument("--repeat", type=int, default=15, help="Runs per in-process page.")
        parser.add_argument("--keep", action="store_true", help="Keep the databases.")

    def handle(self, *args, sizes, seconds, clients, prefix, repeat, keep, **options):
        sizes = [int(s) for s in sizes.split(",") if s.strip()]
        if not sizes or min(sizes) < 10:
            raise CommandError("--sizes: comma-separated ticket counts, each at least 10.")
        client_counts = [int(c) for c in clients.split(",") if c.strip()]
        server = _server_url()
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        secret = suite.new_secret()
        queued_before = suite.broker_length(redis_url)
        started = time.monotonic()

        def say(message: str) -> None:
            self.stderr.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        results = []
        names = []
        try:
            with tempfile.TemporaryDirectory() as static_root:
                for size in sizes:
                    name = f"{prefix}_{suite.size_label(size).lower()}"
                    names.append(name)
                    env = suite.production_env(
                        database_url=suite.with_database(server, name),
                        redis_url=redis_url,
                        secret_key=secret,
                        static_root=static_root,
                    )
                    if len(names) == 1:
                        say("collecting static files (production storage) …")
                        suite.manage(["collectstatic", "--noinput", "-v0"], env)
                    say(f"{name}: creating and migrating …")
                    suite.create_database(server, name)
                    suite.manage(["migrate", "--noinput", "-v0"], env)
                    say(f"{name}: seeding {size:,} tickets and measuring …")
                    results.append(
                        suite.measure_in(
                            env, size=size, seconds=seconds, clients=clients, repeat=repeat
                        )
                    )
                    suite.broker_trim(redis_url, keep=queued_before)
                    if not keep:
                        suite.drop_database(server, name)
        finally:
            suite.broker_trim(redis_url, keep=queued_before)
            if not keep:
                for name in names:
                    suite.drop_database(server, name)
        say(f"done in {time.monotonic() - started:,.0f} s")
        self.stdout.write(
            f"make bench: PostgreSQL, production settings, {os.cpu_count()} cores, "
            f"load runs of {seconds:g} s from wrk on loopback against gunicorn "
            f"({suite.GUNICORN_WORKERS} workers); in-process pages as a manager; "
            f"python {sys.version.split()[0]}\n"
        )
        self.stdout.write(suite.table(results, clients=client_counts))
