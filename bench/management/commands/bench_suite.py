"""`make bench`: seed PostgreSQL at each size, time what people wait for, print one table.

  make bench                                  # 20k, 100k and 1M tickets (long: ~15 min)
  make bench SIZES=20000 SECONDS=5            # the quick one
  manage.py bench_suite --database bench_1m --sizes 1000000   # one kept database, as it is

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
        parser.add_argument(
            "--database",
            default="",
            help="Measure this existing, seeded and migrated database instead (never created, "
            "seeded or dropped); --sizes then gives its size for the table.",
        )
        parser.add_argument(
            "--loads", default="api,queue,create", help="The gunicorn loads to run."
        )

    def handle(
        self, *args, sizes, seconds, clients, prefix, repeat, keep, database, loads, **options
    ):
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
        if database:
            if len(sizes) != 1:
                raise CommandError("--database measures one database: give its one size.")
            results.append(
                self._existing(
                    server,
                    database,
                    size=sizes[0],
                    redis_url=redis_url,
                    secret=secret,
                    seconds=seconds,
                    clients=clients,
                    repeat=repeat,
                    loads=loads,
                    say=say,
                )
            )
            self._print(results, seconds=seconds, client_counts=client_counts, started=started)
            return
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
                            env,
                            size=size,
                            seconds=seconds,
                            clients=clients,
                            repeat=repeat,
                            extra=["--loads", loads],
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
        self._print(results, seconds=seconds, client_counts=client_counts, started=started)

    def _existing(
        self, server, database, *, size, redis_url, secret, seconds, clients, repeat, loads, say
    ) -> dict:
        """One database as it is: static files collected, then in-process pages and the
        gunicorn loads (bench_measure --existing)."""
        with tempfile.TemporaryDirectory() as static_root:
            env = suite.production_env(
                database_url=suite.with_database(server, database),
                redis_url=redis_url,
                secret_key=secret,
                static_root=static_root,
            )
            say("collecting static files (production storage) …")
            suite.manage(["collectstatic", "--noinput", "-v0"], env)
            say(f"{database}: measuring as it is …")
            return suite.measure_in(
                env,
                size=size,
                seconds=seconds,
                clients=clients,
                repeat=repeat,
                extra=["--existing", "--loads", loads],
            )

    def _print(self, results, *, seconds, client_counts, started) -> None:
        self.stderr.write(f"done in {time.monotonic() - started:,.0f} s")
        self.stdout.write(
            f"make bench: PostgreSQL, production settings, {os.cpu_count()} cores, "
            f"load runs of {seconds:g} s from wrk on loopback against gunicorn "
            f"({suite.GUNICORN_WORKERS} workers × {os.environ.get('GUNICORN_THREADS', '4')} "
            "threads, gunicorn.conf.py); in-process pages as a manager; "
            f"python {sys.version.split()[0]}\n"
        )
        self.stdout.write(suite.table(results, clients=client_counts))
