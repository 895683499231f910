"""Stop early, with a clear message, when PostgreSQL or Redis is not reachable."""

import os
import socket
import sys
from urllib.parse import urlparse

SERVICES = [
    (
        "PostgreSQL",
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/tierdesk",
        5432,
        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    ),
    (
        "Redis",
        "REDIS_URL",
        "redis://127.0.0.1:6379/0",
        6379,
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ),
]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    missing = []
    for name, variable, default, default_port, hint in SERVICES:
        url = urlparse(os.environ.get(variable, default))
        host, port = url.hostname or "127.0.0.1", url.port or default_port
        if not reachable(host, port):
            missing.append(
                f"  {name} is not reachable at {host}:{port} ({variable}).\n"
                f"    Start it, e.g.: {hint}"
            )
    if missing:
        print("The test suite needs PostgreSQL and Redis:\n" + "\n".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
