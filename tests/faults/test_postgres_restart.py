"""PostgreSQL restarted (a crash: `pg_ctl -m immediate`) under API load: nothing lost, nothing
doubled. gunicorn with the production settings runs against a cluster of the test's own; a
client keeps filing tickets and retries every failed request with the same Idempotency-Key,
as the API documents. Each ticket exists exactly once, and the server serves on afterwards.
"""

import http.client
import json
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from accounts.services import api_token_create
from tests.ops.support import compose, database_url, production_env, start, stop, wait_for

from .services import PostgresCluster, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def post_ticket(port: int, token: str, key: str, subject: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/v1/tickets/",
            body=json.dumps({"subject": subject, "description": "Filed during a restart."}),
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "X-Forwarded-Proto": "https",
                "Host": f"127.0.0.1:{port}",
            },
        )
        return conn.getresponse().status
    finally:
        conn.close()


def file_until_answered(port: int, token: str, key: str, subject: str) -> list[int]:
    """What a careful client does: retry with the same key until the answer is a success."""
    statuses: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            statuses.append(post_ticket(port, token, key, subject))
        except OSError:
            statuses.append(0)  # connection refused or reset while the database was away
        if statuses[-1] in (200, 201):
            return statuses
        time.sleep(0.2)
    raise AssertionError(f"{key} never answered: {statuses}")


def answers_ok(port: int, token: str) -> bool:
    try:
        return post_ticket(port, token, "warm-up", "Warm-up") in (200, 201)
    except OSError:
        return False  # not listening yet


@pytest.fixture
def cluster():
    server = PostgresCluster().start()
    yield server
    server.remove()


def test_a_crash_restart_under_load_loses_and_doubles_no_ticket(alice, cluster, tmp_path):
    _, token = api_token_create(user=alice, name="load")
    # The new cluster starts as a copy of this test's database (migrated, alice and her token).
    cluster.copy_database(source_url=database_url(connection.settings_dict), name="tierdesk")
    env = production_env(
        database_url=cluster.url("tierdesk"),
        redis_url=settings.REDIS_URL,
        TIERDESK_THROTTLE_TICKET_USER="10000/min",
        TIERDESK_THROTTLE_TICKET_IP="10000/min",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        TIERDESK_ATTACHMENT_ROOT=str(tmp_path / "attachments"),
    )
    port = free_port()
    command = list(compose()["services"]["web"]["command"])
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    web = start(command, env, tmp_path / "web.log")
    try:
        wait_for(lambda: answers_ok(port, token), timeout=30, process=web)

        restarted = threading.Event()

        def crash_and_return():
            cluster.restart()
            restarted.set()

        crasher = threading.Thread(target=crash_and_return)
        answers: dict[int, list[int]] = {}
        after_restart = 0
        n = 0
        # Tickets are filed one after another while the cluster goes down and comes back,
        # until five more have gone through after its return.
        while after_restart < 5 and n < 500:
            if n == 3:
                crasher.start()
            answers[n] = file_until_answered(port, token, f"restart-{n}", f"Restart {n}")
            after_restart += restarted.is_set()
            n += 1
        crasher.join(timeout=30)
        assert restarted.is_set()
        failed = [k for k, statuses in answers.items() if len(statuses) > 1]
        assert failed, "no request met the outage: the test proves nothing"
        # After the restart the server takes new work at once.
        assert post_ticket(port, token, "after", "After the restart") == 201
    finally:
        log = stop(web)

    counts = dict(
        cluster.query(
            "tierdesk",
            "SELECT subject, count(*) FROM tickets_ticket WHERE subject LIKE 'Restart %' "
            "GROUP BY subject",
        )
    )
    assert counts == {f"Restart {k}": "1" for k in answers}, (counts, answers, log[-3000:])
