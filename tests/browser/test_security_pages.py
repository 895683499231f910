"""In Chromium, under the real Content-Security-Policy: the API docs and the celery-beat task
form work without inline script, and the API tokens page creates and revokes tokens."""

import pytest

from accounts.models import ApiToken
from tests.factories import ManagerFactory, UserFactory

pytestmark = pytest.mark.browser


def _csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_the_api_docs_render_under_the_policy(browser):
    page = browser.page()
    page.set_default_timeout(30000)  # Swagger UI's bundle is large
    errors = _csp_errors(page)
    page.goto("/api/docs/", wait_until="domcontentloaded")
    page.wait_for_selector(".swagger-ui .opblock-tag")
    assert page.locator(".swagger-ui .opblock-tag").count() > 3
    assert errors == []


def test_the_celery_beat_task_form_runs_its_script_from_a_file(browser):
    manager = ManagerFactory(username="boss", is_superuser=True)
    page = browser.page(manager)
    errors = _csp_errors(page)
    page.goto("/admin/django_celery_beat/periodictask/add/")
    page.wait_for_selector("#id_name")
    assert page.locator(".field-crontab_translation").is_hidden()
    assert errors == []


def test_the_api_tokens_page_creates_and_revokes(browser):
    alice = UserFactory(username="alice_tokens")
    page = browser.page(alice)
    page.click("text=API tokens")
    page.fill("#id_name", "laptop")
    page.click("button:has-text('Create token')")
    key = page.locator("[data-testid=new-token] code").inner_text()
    assert len(key) == 40 and ApiToken.objects.filter(user=alice, name="laptop").exists()
    browser.shot(page, "api-tokens")
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=The token was revoked.")
    assert not ApiToken.objects.filter(user=alice).exists()
