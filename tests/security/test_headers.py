"""Every page carries a CSP without inline script (admin, celery-beat admin and API docs
included), nosniff, a Referrer-Policy and refuses framing."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def _script_src(policy: str) -> str:
    return next(p for p in policy.split(";") if p.strip().startswith("script-src"))


@pytest.fixture
def pages(alice, manager, file_ticket):
    ticket = file_ticket(alice)
    return [
        (None, reverse("login")),
        (None, reverse("password_reset")),
        (None, "/api/docs/"),
        (alice, reverse("home")),
        (alice, reverse("ticket-detail", args=[ticket.reference])),
        (alice, reverse("api-tokens")),
        (manager, reverse("dashboard")),
        (manager, reverse("admin:index")),
        (manager, reverse("admin:accounts_securityevent_changelist")),
        (manager, reverse("admin:django_celery_beat_periodictask_add")),
        (manager, "/api/v1/tickets/"),
    ]


def test_every_page_has_a_policy_without_inline_script(client, pages):
    for user, url in pages:
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert _script_src(policy).split() == ["script-src", "'self'"], url
        assert "frame-ancestors 'none'" in policy, url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        if response["Content-Type"].startswith("text/html"):
            assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_the_celery_beat_form_script_is_a_static_file(client, manager):
    client.force_login(manager)
    html = client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    assert "js/periodic_task_form.js" in html and 'id="readable-crontabs"' in html


def test_hsts_is_sent_over_https_in_production(settings, client):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
