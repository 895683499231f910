"""Known solutions, known problems and releases walked through in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from escalation.models import Notification, NotificationKind
from knowledge.models import ArticleLink, Deflection
from knowledge.services import article_create, problem_create, problem_link_tickets
from releases.services import release_create
from tests.factories import UserFactory
from tickets.models import Status, Ticket
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_typing_a_ticket_sees_an_article_and_accepts_it(browser, alice, l2tech):
    article = article_create(
        author=l2tech,
        title="Printer shows offline",
        body="Restart the print spooler service and check the cable.",
        visibility="public",
        status="published",
    )
    article_create(
        author=l2tech,
        title="Printer firmware reflash (internal)",
        body="printer offline internal steps",
        status="published",
    )
    page = browser.page(alice)
    page.goto("/tickets/new/")
    page.locator("#id_subject").press_sequentially("printer offline", delay=30)
    suggestion = page.locator("[data-testid=suggestion]")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Printer shows offline")
    expect(suggestion.locator("mark").first).to_be_visible()
    browser.shot(page, "k1_deflection_suggestion")
    suggestion.get_by_role("button", name="This solved it").click()
    expect(page.locator(".messages")).to_contain_text("No ticket was filed")
    expect(page.locator("[data-testid=article-title]")).to_have_text("Printer shows offline")
    assert Deflection.objects.filter(article=article, user=alice).count() == 1
    assert not Ticket.objects.exists()


def test_l2_links_the_solving_article_from_the_verify_panel(browser, alice, gina, l2tech):
    internal = article_create(
        author=l2tech,
        title="VPN concentrator restart",
        body="Restart the VPN concentrator in the server room.",
        status="published",
    )
    earlier = ticket_create(requester=gina, subject="VPN drops every hour", description="x")
    from tickets.services import ticket_change_status, ticket_reply

    ticket_reply(ticket=earlier, author=l2tech, body="Switch the VPN client to TCP.")
    ticket_change_status(ticket=earlier, actor=l2tech, status=Status.RESOLVED)
    ticket = ticket_create(requester=alice, subject="VPN drops", description="Since this morning.")
    page = browser.page(l2tech)
    page.goto(f"/tickets/{ticket.reference}/")
    panel = page.locator("[data-testid=verify-panel]")
    expect(panel.locator("[data-testid=verify-article]")).to_contain_text(
        "VPN concentrator restart"
    )
    expect(panel.locator("[data-testid=similar-ticket]")).to_contain_text(
        "Switch the VPN client to TCP."
    )
    browser.shot(page, "k2_verify_panel")
    panel.locator("[data-testid=verify-article]").get_by_role(
        "button", name="This solved it"
    ).click()
    expect(page.locator(".messages")).to_contain_text("as the solution")
    expect(page.locator("[data-testid=linked-solution]")).to_be_visible()
    assert ArticleLink.objects.filter(ticket=ticket, article=internal, linked_by=l2tech).exists()


def test_manager_publishes_a_release_and_the_customer_sees_it_and_its_notice(
    browser, alice, acme, l2tech, manager
):
    UserFactory(username="acme-contact", organisation=acme, is_organisation_contact=True)
    ticket = ticket_create(requester=alice, subject="Export crashes", description="x")
    problem = problem_create(
        actor=l2tech, title="Export crash", description="d", workaround="Export as CSV."
    )
    problem_link_tickets(problem=problem, actor=l2tech, ids=[ticket.pk])
    release = release_create(
        actor=manager,
        version="2.4.1",
        title="Export fixes",
        notes="Fixes the export crash.",
        problems=[problem.pk],
    )
    customer = browser.page(alice)
    customer.goto(f"/tickets/{ticket.reference}/")
    expect(customer.locator("[data-testid=problem-notice]")).to_contain_text("Export as CSV.")
    customer.goto("/releases/")
    expect(customer.locator("[data-testid=release]")).to_have_count(0)

    page = browser.page(manager)
    page.goto(f"/releases/{release.pk}/")
    page.locator("[data-testid=publish]").click()
    expect(page.locator(".messages")).to_contain_text("published to every customer")
    expect(page.locator("[data-testid=receipt]").first).to_be_visible()
    browser.shot(page, "k3_release_published")

    customer.goto("/releases/")
    expect(customer.locator("[data-testid=release]")).to_contain_text("2.4.1 Export fixes")
    expect(customer.locator("[data-testid=no-opt-out]")).to_be_visible()
    customer.goto(f"/tickets/{ticket.reference}/")
    expect(customer.locator("[data-testid=release-notice]")).to_contain_text("2.4.1")
    expect(customer.locator("[data-testid=status]")).to_have_text("Resolved")
    browser.shot(customer, "k4_customer_sees_release")
    assert Notification.objects.filter(kind=NotificationKind.RELEASE).count() == 1
    assert Notification.objects.filter(
        kind=NotificationKind.RELEASE_FIXED, recipient=alice, ticket=ticket
    ).exists()
