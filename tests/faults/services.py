"""Real services a fault test owns: a redis-server or a PostgreSQL cluster on its own port,
stopped and started at will.

Never the shared Redis on 6379: each server here has its own port and directory, so a test can
stop it while everything else on the machine carries on.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import redis

from tests.escalation.worker import wait_until  # noqa: F401 - used by the fault tests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """redis-server on a free port, no persistence; `stop()` is an outage, `start()` the return."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def broker_url(self) -> str:
        """The URL the test settings give a worker started with REDIS_URL=self.url: the run's
        own Redis database number on this server."""
        from django.conf import settings

        return f"redis://127.0.0.1:{self.port}/{settings.REDIS_URL.rsplit('/', 1)[1]}"

    def _ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._ping, timeout=10, message=f"redis-server on {self.port}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


PG_BIN = Path("/usr/lib/postgresql") / os.environ.get("TIERDESK_PG_VERSION", "15") / "bin"


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port,
    run as the `postgres` user), never the shared one: `restart()` is a crash and a return."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="tierdesk-pg-"))
        shutil.chown(self.directory, user="postgres")
        self.data = self.directory / "data"
        self.port = free_port()

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _as_postgres(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=self.directory,
        )

    def _pg_ctl(self, *arguments: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-o", options, *arguments
        )

    def start(self) -> PostgresCluster:
        if not self.data.exists():
            self._as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            )
        self._pg_ctl("-l", str(self.directory / "log"), "start")
        return self

    def restart(self) -> None:
        """Stop without a clean shutdown (`immediate`: what a crash leaves), then start."""
        self._pg_ctl("-m", "immediate", "stop")
        self._pg_ctl("-l", str(self.directory / "log"), "start")

    def copy_database(self, *, source_url: str, name: str) -> None:
        """Create `name` here holding what the database at `source_url` holds now."""
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True,
        )
        dump = subprocess.run(
            ["pg_dump", "--no-owner", source_url], check=True, capture_output=True
        )
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            input=dump.stdout,
            check=True,
            capture_output=True,
        )

    def query(self, name: str, sql: str) -> list[tuple[str, ...]]:
        out = subprocess.run(
            ["psql", "-At", "-F", "\t", "-c", sql, self.url(name)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
