"""Start the web, worker and beat exactly as docker-compose.yml does and see them answer.

The commands come from docker-compose.yml and the environment from .env.example
plus the compose `environment`; only the database (this test run's), the Redis
database, the bind address and file paths are swapped for local ones.
"""

import http.client
import re
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils.html import escape

from helpdesk.celery import app as celery_app
from tests.ops.support import (
    compose,
    database_url,
    free_port,
    output,
    production_env,
    run,
    start,
    stop,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def local_env(tmp_path):
    return production_env(
        database_url=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        TIERDESK_ATTACHMENT_ROOT=str(tmp_path / "attachments"),
    )


@pytest.fixture
def collected_static(local_env):
    # What the Dockerfile does at build time: collect static files for whitenoise.
    run(["python", "manage.py", "collectstatic", "--noinput", "-v0"], local_env)


def request(port, method, path, *, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        conn.close()


def healthz(port):
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def cookies(headers):
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar):
    return "; ".join(f"{key}={value}" for key, value in jar.items())


def test_gunicorn_from_compose_serves_healthz_login_and_home(
    local_env, collected_static, alice, tmp_path
):
    # Production hashers do not include the test settings' MD5: store a PBKDF2 hash.
    hasher = PBKDF2PasswordHasher()
    alice.password = hasher.encode("s3cret-pass", hasher.salt(), iterations=1000)
    alice.save(update_fields=["password"])
    services = compose()["services"]
    run(services["migrate"]["command"], local_env)

    port = free_port()
    command = list(services["web"]["command"])
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    web = start(command, local_env, tmp_path / "web.log")
    try:
        wait_for(lambda: healthz(port), timeout=20, process=web)

        # The container probe's Host is not an allowed host: /healthz still answers.
        probe = {"Host": "container-probe:8000"}
        assert request(port, "GET", "/healthz", headers=probe)[:3:2] == (200, "ok")
        assert request(port, "GET", "/accounts/login/", headers=probe)[0] == 400

        # Production settings are in force: plain HTTP is sent to HTTPS...
        status, headers, _ = request(port, "GET", "/accounts/login/")
        assert status == 301
        assert dict(headers)["Location"].startswith("https://")

        # ...and behind the TLS proxy the login page renders, with secure cookies.
        https = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"}
        status, headers, page = request(port, "GET", "/accounts/login/", headers=https)
        assert status == 200
        assert "Strict-Transport-Security" in dict(headers)
        assert all("Secure" in v for k, v in headers if k.lower() == "set-cookie")
        assert "/static/css/app." in page  # the hashed name from the collected manifest

        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        jar = cookies(headers)
        status, headers, _ = request(
            port,
            "POST",
            "/accounts/login/",
            body=f"username=alice&password=s3cret-pass&csrfmiddlewaretoken={token}",
            headers={
                **https,
                "Origin": f"https://127.0.0.1:{port}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie_header(jar),
            },
        )
        assert status == 302, "sign-in through gunicorn failed"
        jar |= cookies(headers)
        status, _, page = request(port, "GET", "/", headers={**https, "Cookie": cookie_header(jar)})
        assert status == 200
        assert 'action="/accounts/logout/"' in page
        assert escape(str(alice)) in page
    finally:
        log = stop(web)
    assert "Traceback" not in log, log


@pytest.mark.celery
def test_worker_and_beat_from_compose_run_the_sweep(local_env, tmp_path):
    services = compose()["services"]
    # In a container the node is celery@<container hostname>; give this one a unique host.
    hostname = f"ops-{uuid.uuid4().hex[:8]}"
    node = f"celery@{hostname}"
    worker = start(
        [*services["worker"]["command"], "--hostname", node], local_env, tmp_path / "worker.log"
    )
    beat_command = list(services["beat"]["command"])
    pidfile = str(tmp_path / "celerybeat.pid")
    compose_pidfile, beat_command[beat_command.index("--pidfile") + 1] = (
        beat_command[beat_command.index("--pidfile") + 1],
        pidfile,
    )
    # compose's one-shot migrate brings the sweep's beat entry in line with the
    # configured interval; a short one lets the test see a sweep soon.
    run(services["migrate"]["command"], {**local_env, "TIERDESK_ESCALATION_INTERVAL_SECONDS": "1"})
    beat = None
    try:
        replies = wait_for(
            lambda: celery_app.control.ping(destination=[node], timeout=0.5),
            timeout=30,
            process=worker,
        )
        assert replies == [{node: {"ok": "pong"}}]

        # The compose health check itself; compose turns `$$` into `$` for the shell.
        check = services["worker"]["healthcheck"]["test"][1].replace("$$", "$")
        answer = run(["sh", "-c", check], {**local_env, "HOSTNAME": hostname})
        assert re.search(rf"->\s+{re.escape(node)}: OK", answer), answer

        # Beat reads the schedule from the database and the worker runs the sweep.
        beat = start(beat_command, local_env, tmp_path / "beat.log")
        wait_for(
            lambda: re.search(r"Task escalation\.sweep\[.*\] succeeded", output(worker)),
            timeout=20,
            process=beat,
        )
        health = services["beat"]["healthcheck"]["test"][1:]
        run([arg.replace(compose_pidfile, pidfile) for arg in health], local_env)
    finally:
        logs = [stop(process) for process in (beat, worker) if process]
        # Leave no sweep behind in the broker for a later test's worker.
        celery_app.control.purge()
    for log in logs:
        assert "Traceback" not in log, log
