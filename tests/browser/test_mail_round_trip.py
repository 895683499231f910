# ruff: noqa: F811 - the mail fixtures are imported into this module to be used here
"""By mail and browser: a customer mails in, a technician answers in the browser, the
customer's mail client gets it and answers, and the answer is on the ticket."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mail.models import Outcome
from sla.models import Clock, ClockKind
from tests.mail.conftest import desk_mailbox, dovecot, folder, smtp, smtp_server  # noqa: F401
from tests.mail.mails import mail
from tests.mail.roundtrip import answer, deliver_outbox_and_receive, poll
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_by_mail_technician_in_the_browser(
    browser,
    dovecot,
    folder,
    desk_mailbox,
    smtp,
    alice,
    l1tech,  # noqa: F811
):
    dovecot.deliver(folder, mail(subject="Scanner offline", text="The scanner is **offline**."))
    assert poll(desk_mailbox) == {Outcome.TICKET: 1}
    ticket = Ticket.objects.get()

    page = browser.page(l1tech)
    page.goto(f"/tickets/{ticket.reference}/")
    expect(page.locator("strong").filter(has_text="offline")).to_be_visible()
    page.fill("#id_body", "Power-cycle the scanner, then try once more.")
    page.click("button[type=submit]:has-text('Send')")
    expect(page.locator(".messages")).to_contain_text("Reply sent.")
    response = Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE, tier="L1")
    assert response.met_at is not None

    received = deliver_outbox_and_receive(smtp, "alice@example.com")
    assert "Power-cycle the scanner" in received.get_body(("plain",)).get_content()
    dovecot.deliver(folder, answer(received, sender="alice@example.com", text="Works again!"))
    assert poll(desk_mailbox) == {Outcome.REPLY: 1}

    page.reload()
    expect(page.get_by_text("Works again!")).to_be_visible()
    expect(page.get_by_text("Power-cycle the scanner, then try once more.")).to_have_count(1)
    browser.shot(page, "mail_round_trip_technician_sees_mail_reply")
