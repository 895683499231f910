"""The product walked through in a real browser, one scenario per audience and rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Tier
from escalation.services.sweep import escalation_sweep
from sla.models import Clock, ClockKind
from sla.services.sync import sync_ticket_sla
from tests.conftest import PNG_BYTES
from tests.factories import TicketFactory
from tickets.models import Status, Ticket
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COUNTDOWN = re.compile(r"^\d+(d \d+h|h \d\dm|m \d\ds)$")


def test_customer_files_technician_answers(browser, alice, l1tech, tmp_path):
    queue = browser.page(l1tech)
    queue.goto("/queue/")
    expect(queue.get_by_text("Nothing waiting here.")).to_be_visible()

    page = browser.page(alice, width=390, height=844)  # a phone
    page.goto("/tickets/new/")
    page.fill("#id_subject", "Cannot print invoices")
    page.fill("#id_description", "The printer says **offline** since 9:00.")
    page.click("button[data-preview-source]")
    expect(page.locator("#preview strong")).to_have_text("offline")
    page.select_option("#id_impact", "medium")
    page.select_option("#id_urgency", "high")
    screenshot = tmp_path / "printer.png"
    screenshot.write_bytes(PNG_BYTES)
    page.set_input_files("#id_attachments", str(screenshot))
    page.click("button[type=submit]:has-text('Send ticket')")
    expect(page.locator(".messages")).to_contain_text("has been filed")
    ticket = Ticket.objects.get()
    assert ticket.priority == "P2" and ticket.attachments.get().filename == "printer.png"
    browser.shot(page, "1a_customer_filed_ticket")

    # The queue page, still open, picks the ticket up by itself (no reload).
    row = queue.locator(f"tr[data-reference='{ticket.reference}']")
    expect(row).to_be_visible()
    expect(row.locator(".countdown[data-due]")).to_have_text(COUNTDOWN)
    expect(queue.locator("#queue-status[role=status]")).to_have_text("The queue was updated.")
    browser.shot(queue, "1b_technician_queue")
    row.locator("a").click()
    queue.fill("#id_body", "Restart the print spooler, then try again.")
    queue.click("button[type=submit]:has-text('Send')")
    expect(queue.locator(".messages")).to_contain_text("Reply sent.")

    page.reload()
    expect(page.get_by_text("Restart the print spooler")).to_be_visible()
    expect(page.locator("[data-testid=status]")).to_have_text("Open")
    browser.shot(page, "1c_customer_sees_reply")


def test_escalation_needs_a_handoff_note(browser, alice, l1tech, l2tech):
    ticket = ticket_create(requester=alice, subject="Database timeouts", description="Slow.")
    page = browser.page(l1tech)
    page.goto(f"/tickets/{ticket.reference}/")
    # Keyboard only: focus the button, open with Enter, the note field takes the focus.
    page.focus("button[data-dialog-open=escalate-dialog]")
    page.keyboard.press("Enter")
    dialog = page.locator("#escalate-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#id_handoff_note")).to_be_focused()
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()  # refused: the note is required
    assert page.evaluate("document.querySelector('#id_handoff_note').validity.valid") is False
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    note = "Checked the connection pool and restarted the app; the customer sees it hourly."
    dialog.locator("#id_handoff_note").fill(note)
    dialog.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Escalated")
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2

    page = browser.page(l2tech)
    page.goto("/queue/")
    page.locator(f"tr[data-reference='{ticket.reference}'] a").click()
    expect(page.locator("[data-testid=handoff]")).to_contain_text("the customer sees it hourly")
    browser.shot(page, "2_handoff_pinned_for_l2")


def test_breached_ticket_tops_the_queue_in_red(browser, alice, l1tech):
    calm = ticket_create(requester=alice, subject="Calm ticket", description="d")
    late = ticket_create(requester=alice, subject="Late ticket", description="d")
    # The resolution deadline of `late` passed an hour ago; the sweep marks the breach
    # (resolution breaches raise the priority and notify, the ticket stays at L1).
    past = timezone.now() - timedelta(hours=1)
    Clock.objects.filter(ticket=late, kind=ClockKind.RESOLUTION).update(
        due_at=past, warn_at=past - timedelta(minutes=30)
    )
    sync_ticket_sla(ticket=late)
    result = escalation_sweep(queue=False)
    late.refresh_from_db()
    assert late.sla_breached and late.tier == Tier.L1, result.as_dict()
    page = browser.page(l1tech)
    page.goto("/queue/")
    first = page.locator("table.queue tbody tr").first
    expect(first).to_have_attribute("data-reference", late.reference)
    expect(first).to_have_class(re.compile(r"\bsla-breached\b"))
    countdown = first.locator(".countdown")
    expect(countdown).to_contain_text("overdue")
    red = page.evaluate("el => getComputedStyle(el).backgroundColor", countdown.element_handle())
    assert red == "rgb(164, 14, 38)"
    assert page.locator(f"tr[data-reference='{calm.reference}']").count() == 1
    browser.shot(page, "3_breached_on_top")


def test_manager_dashboard_matches_the_tickets(browser, alice, manager):
    started = timezone.now() - timedelta(hours=3)
    outcomes = ["met", "met", "met", "breached"]
    for outcome in outcomes:
        ticket = TicketFactory(requester=alice, priority="P2")
        Clock.objects.create(
            ticket=ticket,
            kind=ClockKind.RESPONSE,
            tier="L1",
            target_minutes=30,
            started_at=started,
            due_at=started + timedelta(minutes=30),
            warn_at=started + timedelta(minutes=24),
            met_at=started + timedelta(minutes=10) if outcome == "met" else None,
            breached_at=started + timedelta(minutes=30) if outcome == "breached" else None,
        )
    page = browser.page(manager)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    tier_row = page.locator("table[data-table=compliance_by_tier] tr[data-key=L1]")
    expect(tier_row.locator(".pct")).to_have_text("75.0 %")
    prio_row = page.locator("table[data-table=compliance_by_priority] tr[data-key=P2]")
    expect(prio_row.locator(".pct")).to_have_text("75.0 %")
    expect(page.locator(".bar-chart .bar-col")).to_have_count(14)
    browser.shot(page, "4_manager_dashboard")


def test_nobody_sees_what_is_not_theirs(browser, alice, bob, gina):
    ticket = ticket_create(requester=alice, subject="Alice salary question", description="d")
    page = browser.page(bob)
    response = page.goto(f"/tickets/{ticket.reference}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    browser.shot(page, "5a_bob_gets_404")
    page = browser.page(gina)
    expect(page.locator("main")).not_to_contain_text("Alice salary")
    browser.shot(page, "5b_gina_sees_nothing_of_acme")
    assert page.goto(f"/tickets/{ticket.reference}/").status == 404
    assert page.goto("/queue/").status == 403


def test_german_ui_for_a_german_user(browser, gina):
    ticket_create(requester=gina, subject="Drucker streikt", description="Seit heute früh.")
    page = browser.page(gina, locale="en-GB")  # the user's setting beats the browser's
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Meine Tickets")).to_be_visible()
    expect(page.locator(".ticket-card")).to_contain_text("Eingegangen")
    browser.shot(page, "6a_german_home")
    page.goto("/tickets/new/")
    expect(page.get_by_label("Betreff")).to_be_visible()
    browser.shot(page, "6b_german_new_ticket")
    assert Ticket.objects.filter(status=Status.NEW).count() == 1


def test_bulk_action_from_the_queue(browser, alice, l1tech):
    made = [
        ticket_create(requester=alice, subject=f"Mail down {n}", description="No mail.")
        for n in range(3)
    ]
    done = ticket_create(requester=alice, subject="Already closed", description="Done.")
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    queue = browser.page(l1tech)
    queue.goto("/queue/")
    for ticket in made:
        expect(queue.locator(f"tr[data-reference='{ticket.reference}']")).to_be_visible()
    queue.check("input[data-select-all]")
    expect(queue.locator("input[name=ids]:checked")).to_have_count(3)
    queue.select_option("#bulk-action", "priority")
    expect(queue.locator("#bulk-priority")).to_be_visible()
    expect(queue.locator("#bulk-handoff")).to_be_hidden()
    queue.select_option("#bulk-priority", "P2")
    browser.shot(queue, "7a_queue_bulk_selection")
    queue.click("button[type=submit]:has-text('Apply to ticked tickets')")
    expect(queue.locator(".messages")).to_contain_text("3 tickets changed.")
    for ticket in made:
        row = queue.locator(f"tr[data-reference='{ticket.reference}']")
        expect(row.locator(".badge.prio-P2")).to_be_visible()
    assert set(
        Ticket.objects.filter(pk__in=[t.pk for t in made]).values_list("priority", flat=True)
    ) == {"P2"}

    # Escalate two with one hand-off note: they leave the L1 queue.
    for ticket in made[:2]:
        queue.check(f"input[name=ids][value='{ticket.pk}']")
    queue.select_option("#bulk-action", "escalate")
    queue.fill("#bulk-handoff", "Checked the mail relay and DNS; customers get bounces since 9:00.")
    queue.click("button[type=submit]:has-text('Apply to ticked tickets')")
    expect(queue.locator(".messages")).to_contain_text("2 tickets changed.")
    expect(queue.locator(f"tr[data-reference='{made[0].reference}']")).to_have_count(0)
    expect(queue.locator(f"tr[data-reference='{made[2].reference}']")).to_be_visible()
    browser.shot(queue, "7b_queue_bulk_escalated")
    assert list(
        Ticket.objects.filter(pk__in=[t.pk for t in made])
        .order_by("pk")
        .values_list("tier", flat=True)
    ) == [Tier.L2, Tier.L2, Tier.L1]
