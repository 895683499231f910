"""Helpers for the ops tests: read docker-compose.yml and .env.example, run commands."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.processes import die_with_parent

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    """The uncommented KEY=VALUE lines of .env.example, as docker compose reads them."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def documented_variables() -> set[str]:
    """Every variable named in .env.example, set or shown commented out."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def production_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment a container gets (.env.example + compose `environment`),
    pointed at the local PostgreSQL and Redis instead of the compose services."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(env_example())
    env.update({k: str(v) for k, v in compose()["services"]["web"]["environment"].items()})
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


def database_url(settings_dict: dict[str, Any]) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str], env: dict[str, str], timeout: float = 60) -> str:
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a long-running process; its output goes to `log` (a pipe could fill up)."""
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=die_with_parent,
        )
    process.log = log  # type: ignore[attr-defined]
    return process


def output(process: subprocess.Popen) -> str:
    return process.log.read_text()  # type: ignore[attr-defined]


def wait_for(condition: Callable[[], Any], *, timeout: float, process: subprocess.Popen) -> Any:
    """Poll `condition` until it returns something truthy; fail early if `process` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{output(process)}")
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"gave up after {timeout} s:\n{output(process)}")


def stop(process: subprocess.Popen) -> str:
    """Terminate (then kill) the process and return what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    return output(process)
