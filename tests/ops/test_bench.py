"""Benchmarks live outside the application packages and stay reachable as manage.py commands."""

from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
# Every application package of the project (third-party apps have dotted names).
APPS = [app for app in settings.INSTALLED_APPS if "." not in app and app != "bench"]


def test_bench_commands_are_manage_py_commands_of_the_bench_package():
    commands = get_commands()
    assert commands["bench_sla"] == "bench"
    assert commands["bench_escalation"] == "bench"
    assert commands["bench_releases"] == "bench"
    assert commands["bench_suite"] == "bench"  # make bench
    assert commands["bench_measure"] == "bench"


def test_no_benchmark_code_in_the_application_packages():
    stray = [
        str(path.relative_to(ROOT)) for app in APPS for path in (ROOT / app).rglob("*bench*.py")
    ]
    assert stray == []
