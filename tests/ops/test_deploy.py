"""The production configuration: compose file, documented environment, check --deploy."""

import re
import sys

import pytest
from django.urls import reverse

from tests.ops.support import ROOT, compose, documented_variables, production_env, run

APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_compose_defines_the_production_services_with_health_checks():
    services = compose()["services"]

    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "healthcheck" in services["beat"]
    assert services["web"]["command"][:2] == ["gunicorn", "helpdesk.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "helpdesk", "worker"]
    for name in APP_SERVICES:
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "helpdesk.settings.production"
        )
        assert services[name]["env_file"] == ".env"


def test_exactly_one_beat_on_the_database_scheduler():
    services = compose()["services"]
    beats = [
        name
        for name, service in services.items()
        if "beat" in service.get("command", []) or "-B" in service.get("command", [])
    ]

    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]


def test_app_services_wait_for_migrations_and_healthy_backends():
    services = compose()["services"]

    assert services["migrate"]["command"][:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_no_secrets_in_the_compose_file_or_the_image():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in compose()["services"].values():
        # Only the settings module is set inline; everything else comes from .env.
        assert set(service.get("environment", {})) <= {"DJANGO_SETTINGS_MODULE"}
    assert not re.search(r"(PASSWORD|SECRET_KEY)\s*[:=]", text)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER tierdesk" in dockerfile
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_every_setting_read_from_the_environment_is_documented():
    read = set()
    for path in (ROOT / "helpdesk" / "settings").glob("*.py"):
        read |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))

    assert read, "no env() calls found: the pattern is stale"
    assert read - documented_variables() == set()


def test_readme_explains_every_documented_variable_and_starts_with_the_quick_start():
    readme = (ROOT / "README.md").read_text()

    assert documented_variables() - set(re.findall(r"[A-Z][A-Z0-9_]{2,}", readme)) == set()
    quick_start = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()[1:]]
    assert [command for command in commands if command] == ["make run", "make test"]


@pytest.fixture
def deploy_env():
    return production_env(
        database_url="postgres://postgres@127.0.0.1:5432/unused",
        redis_url="redis://127.0.0.1:6379/0",
    )


def test_check_deploy_reports_no_issues_with_the_documented_environment(deploy_env):
    output = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], deploy_env
    )

    assert "System check identified no issues" in output


def test_production_refuses_to_start_without_a_secret_key(deploy_env):
    del deploy_env["DJANGO_SECRET_KEY"]

    with pytest.raises(AssertionError, match="DJANGO_SECRET_KEY"):
        run([sys.executable, "manage.py", "check", "--deploy"], deploy_env)


def test_healthz_answers_ok_without_signing_in(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


def _setting_in(env: dict[str, str], name: str) -> str:
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    return run([sys.executable, "-c", code], env).strip().splitlines()[-1]


def test_compose_hands_sweep_backlogs_to_its_workers_and_the_embedded_setup_does_not(
    deploy_env,
):
    # Compose runs workers, so a container's sweep fans its backlog out to them ...
    assert compose()["services"]["worker"]["command"][:4] == ["celery", "-A", "helpdesk", "worker"]
    assert int(_setting_in(deploy_env, "TIERDESK_ESCALATION_FANOUT_BATCHES")) > 0
    # ... unless the operator says otherwise in .env.
    off = {**deploy_env, "TIERDESK_ESCALATION_FANOUT_BATCHES": "0"}
    assert _setting_in(off, "TIERDESK_ESCALATION_FANOUT_BATCHES") == "0"
    # `make run` (SQLite, one writer) keeps every batch inline.
    local = {
        key: value
        for key, value in deploy_env.items()
        if key != "TIERDESK_ESCALATION_FANOUT_BATCHES"
    }
    local["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.local"
    assert _setting_in(local, "TIERDESK_ESCALATION_FANOUT_BATCHES") == "0"
