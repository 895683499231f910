"""The header's unread count and the in-app list in a real browser: follow a notice, mark
one read, mark all read; the count in every page's header follows."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tickets.services import ticket_change_status, ticket_create, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_header_count_list_and_mark_read(browser, alice, l1tech):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    ticket_reply(ticket=ticket, author=l1tech, body="Please open tray 2.")  # reply + status
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    page = browser.page(alice)
    page.goto("/")
    count = page.locator("#unread-count")
    expect(count).to_contain_text("3")
    page.locator("a.notices").click()
    page.wait_for_url("**/notifications/")
    notices = page.locator(".notice-list .notice")
    expect(notices).to_have_count(3)
    expect(notices.first).to_contain_text("Waiting for customer")
    browser.shot(page, "n1_notifications_unread")

    notices.first.get_by_role("button", name="Mark read").click()
    page.wait_for_url("**/notifications/")
    expect(count).to_contain_text("2")
    expect(page.locator(".notice-list .notice.unread")).to_have_count(2)

    # A notice leads to its ticket, and following it reads it.
    page.locator(".notice-list .notice.unread").first.get_by_role("link").click()
    page.wait_for_url(f"**/tickets/{ticket.reference}/")
    expect(page.locator("#unread-count")).to_contain_text("1")

    page.goto("/notifications/")
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url("**/notifications/")
    expect(page.locator("#unread-count")).to_have_count(0)
    expect(page.locator(".notice-list .notice.unread")).to_have_count(0)
    browser.shot(page, "n2_notifications_all_read")
