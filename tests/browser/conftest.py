"""Headless Chromium (Debian's) against pytest-django's live server on PostgreSQL.

`browser` gives pages that are already signed in through the real login form,
and saves a screenshot per scenario under artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import seed_migrated_data

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would refuse every ORM call the test makes while the browser is open.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PASSWORD = "demo"


@pytest.fixture(scope="session")
def _live_server_media_url():
    """Django's live server wraps a media handler that parses MEDIA_URL, which the
    project leaves as None (uploads have no URL). Give it a path nothing links to,
    before the server thread starts."""
    from django.conf import settings

    original = settings.MEDIA_URL
    settings.MEDIA_URL = "/__live-server-media__/"
    yield
    settings.MEDIA_URL = original


@pytest.fixture(scope="session")
def _chromium(_live_server_media_url):
    # Django keeps a connection per context, and Playwright's sync API switches context: a
    # connection opened on one side is invisible on the other and would stay open until the
    # test database is dropped ("… is being accessed by other users"). Close them at the switch.
    connections.close_all()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()
        connections.close_all()


class Session:
    def __init__(self, chromium: Browser, base_url: str) -> None:
        self.chromium = chromium
        self.base_url = base_url
        self.contexts: list = []

    def page(self, user=None, *, width: int = 1280, height: int = 900, locale="en-GB") -> Page:
        context = self.chromium.new_context(
            base_url=self.base_url,
            viewport={"width": width, "height": height},
            locale=locale,
            timezone_id="UTC",
        )
        context.set_default_timeout(8000)
        self.contexts.append(context)
        page = context.new_page()
        if user is not None:
            self.sign_in(page, user)
        return page

    @staticmethod
    def sign_in(page: Page, user) -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    @staticmethod
    def shot(page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def _migrated_data(transactional_db):
    seed_migrated_data()


@pytest.fixture
def browser(_migrated_data, _chromium, live_server, settings):
    # The queue refreshes itself every second here, so a test sees the poller work.
    settings.TIERDESK_QUEUE_POLL_SECONDS = 1
    session = Session(_chromium, live_server.url)
    yield session
    session.close()
