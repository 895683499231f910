"""Under `make run` the links in mails point at the served address, its port included."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_url(**extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("TIERDESK_SITE_URL", "PORT")}
    env.update(DJANGO_SETTINGS_MODULE="helpdesk.settings.local", **extra)
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_make_run_links_use_the_served_port():
    assert "export PORT=" in (ROOT / "scripts" / "run_embedded.sh").read_text()
    assert site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8123", TIERDESK_SITE_URL="https://desk.example") == "https://desk.example"
