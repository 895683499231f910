"""After escalating, the technician lands on their queue and can still read the ticket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_escalating_technician_lands_on_queue_and_reads_the_ticket(browser, alice, l1tech):
    ticket = ticket_create(requester=alice, subject="Mail server down", description="Since 8.")
    page = browser.page(l1tech)
    page.goto(f"/tickets/{ticket.reference}/")
    page.click("button[data-dialog-open=escalate-dialog]")
    page.fill("#id_handoff_note", "Checked DNS and restarted postfix; the queue keeps growing.")
    page.locator("#escalate-dialog button[type=submit]").click()
    page.wait_for_url("**/queue/")
    message = page.locator(".messages")
    expect(message).to_contain_text(f"Escalated: {ticket.reference} is now with Level 2")
    expect(page.get_by_text("Not found")).to_have_count(0)
    browser.shot(page, "p1_escalated_back_on_queue")
    message.get_by_role("link", name="Open the ticket").click()
    expect(page.locator("[data-testid=handed-off]")).to_contain_text("now with Level 2")
    expect(page.locator("[data-testid=handoff]")).to_contain_text("restarted postfix")
    expect(page.locator("#escalate-dialog")).to_have_count(0)
    browser.shot(page, "p2_handed_off_read_only")

    page.goto("/queue/?who=handed_off")
    expect(page.locator(f"tr[data-reference='{ticket.reference}']")).to_be_visible()
