"""Real services a fault test owns: a redis-server on its own port, stopped and started at will.

Never the shared Redis on 6379: each server here has its own port and directory, so a test can
stop it while everything else on the machine carries on.
"""

from __future__ import annotations

import os
import socket
import subprocess
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
        return f"redis://127.0.0.1:{self.port}/{os.environ['TIERDESK_TEST_REDIS_DB']}"

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
