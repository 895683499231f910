"""A real Celery worker (optionally with beat) as a subprocess against the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from tests.processes import die_with_parent

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(predicate, *, timeout, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


def flush_broker():
    """Our Redis db only: drop messages left by earlier tests (their rows are gone)."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


class Worker:
    def __init__(self, tmp_path, *, beat=False, env=None):
        db = connection.settings_dict
        self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
        self.env = (
            os.environ
            | {
                "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                "REDIS_URL": settings.CELERY_BROKER_URL,
                "PYTHONUNBUFFERED": "1",
            }
            | (env or {})
        )
        self.args = [CELERY, "-A", "helpdesk", "worker", "--pool=solo", "--loglevel=INFO"]
        self.args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        self.args += ["-n", f"esc{time.monotonic_ns()}@%h"]
        if beat:
            self.args += ["-B", "--schedule", str(tmp_path / "beat-schedule")]
        self.process = None

    def start(self, timeout=15):
        self.handle = self.log.open("wb")
        # Own process group: beat runs as a child process of the worker.
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        wait_until(lambda: b"ready." in self.log.read_bytes(), timeout=timeout, message="worker")
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=15)
        self.handle.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.handle.close()

    def output(self):
        return self.log.read_text(errors="replace")
