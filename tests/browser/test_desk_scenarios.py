"""Technician tools in a real browser: canned replies, merging, collisions, saved views."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from desk.models import SavedView
from desk.services.macros import macro_save
from tickets.models import Reply, Status, Ticket
from tickets.services import ticket_create, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_canned_reply_with_placeholders_inserted_by_keyboard(browser, alice, l1tech, manager):
    macro_save(
        actor=manager,
        name="Printer restart",
        shared=True,
        body="Hello {requester_name}, about {reference}: please restart the printer.",
        set_status=Status.PENDING_CUSTOMER,
    )
    ticket = ticket_create(requester=alice, subject="Printer jammed", description="Jam.")
    page = browser.page(l1tech)
    page.goto(f"/tickets/{ticket.reference}/")
    page.keyboard.press("r")  # the reply shortcut focuses the reply box
    expect(page.locator("#id_body")).to_be_focused()
    page.focus("#macro-search")
    page.keyboard.type("Printer restart")
    page.keyboard.press("Enter")
    expected = f"Hello alice, about {ticket.reference}: please restart the printer."
    expect(page.locator("#id_body")).to_have_value(expected)
    page.click("button[type=submit]:has-text('Send')")
    expect(page.locator(".messages")).to_contain_text("Printer restart")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER
    assert Reply.objects.get().body == expected
    browser.shot(page, "15a_canned_reply")


def test_merge_duplicate_in_the_browser(browser, alice, bob, l1tech):
    original = ticket_create(requester=alice, subject="VPN down", description="VPN.")
    duplicate = ticket_create(requester=bob, subject="No VPN", description="VPN?")
    ticket_reply(ticket=duplicate, author=bob, body="Still no VPN after reboot.")
    page = browser.page(l1tech)
    page.goto(f"/tickets/{duplicate.reference}/")
    page.click("details.merge summary")
    page.fill("#id_merge_original", original.reference)
    page.click("button:has-text('Merge into original')")
    expect(page.locator(".messages")).to_contain_text("was merged into this ticket")
    expect(page.get_by_text("Still no VPN after reboot.")).to_be_visible()
    expect(page.locator("[data-testid=links]")).to_contain_text(duplicate.reference)
    expect(page.locator("[data-testid=watchers]")).to_contain_text("bob")
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.CLOSED
    browser.shot(page, "15b_merged")


def test_second_technician_sees_presence_and_collision_warning(
    browser, alice, l1tech, l2tech, settings
):
    settings.TIERDESK_PRESENCE_POLL_SECONDS = 1
    ticket = ticket_create(requester=alice, subject="Mail stuck", description="Outbox.")
    first = browser.page(l1tech)
    first.goto(f"/tickets/{ticket.reference}/")
    first.fill("#id_body", "Looking into it")
    first.type("#id_body", " now")  # typing marks l1tech as writing
    second = browser.page(l2tech)
    second.goto(f"/tickets/{ticket.reference}/")
    expect(second.locator("#presence")).to_contain_text("l1tech (writing a reply)")
    expect(first.locator("#presence")).to_contain_text("l2tech")
    # l2tech answers first; l1tech is warned before sending.
    second.fill("#id_body", "Fixed the outbox.")
    second.click("button[type=submit]:has-text('Send')")
    expect(second.locator(".messages")).to_contain_text("Reply sent.")
    first.click("button[type=submit]:has-text('Send')")
    expect(first.locator("[data-testid=collision]")).to_be_visible()
    assert Reply.objects.count() == 1
    browser.shot(first, "15c_collision")
    first.click("[data-send-anyway]")
    expect(first.locator(".messages")).to_contain_text("Reply sent.")
    assert Reply.objects.count() == 2


def test_save_and_reuse_a_queue_view(browser, alice, victor, l1tech):
    ticket_create(requester=alice, subject="Printer offline", description="x")
    boss = ticket_create(requester=victor, subject="Laptop broken", description="x")
    page = browser.page(l1tech)
    page.goto("/queue/")
    page.fill("#id_q", "Laptop")
    page.click("button:has-text('Apply')")
    expect(page.locator("#queue-rows tr[data-reference]")).to_have_count(1)
    page.fill("#id_view_name", "Laptops")
    page.click("button:has-text('Save view')")
    expect(page.locator(".messages")).to_contain_text("Laptops")
    view = SavedView.objects.get(user=l1tech)
    assert view.filters["q"] == "Laptop"
    page.goto("/queue/?view=vip")
    expect(page.locator("#queue-rows tr[data-reference]")).to_have_count(1)
    page.click(f"[data-view=saved-{view.pk}]")
    expect(page.locator(f"tr[data-reference='{boss.reference}']")).to_be_visible()
    expect(page.locator(f"[data-view=saved-{view.pk}] .count")).to_have_text("(1)")
    page.goto("/queue/")  # the last used view opens again
    expect(page.locator(f"[data-view=saved-{view.pk}][aria-current]")).to_be_visible()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    browser.shot(page, "15d_saved_view")
