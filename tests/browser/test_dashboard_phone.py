"""The dashboard on a phone: the breaches chart starts with today, and its numbers lead on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import TicketFactory
from tests.web.test_dashboard import clock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_breaches_chart_shows_today_first_at_390_px(browser, manager, alice):
    now = timezone.now()
    for days_ago in (0, 0, 3, 9):  # two breaches today, others earlier in the period
        ticket = TicketFactory(requester=alice)
        clock(
            ticket,
            tier="L1",
            minutes=45,
            outcome="unanswered",
            started=now - timedelta(days=days_ago, minutes=40),
        )
    page = browser.page(manager, width=390, height=844)
    page.goto("/dashboard/")
    chart = page.locator(".bar-chart")
    days = chart.locator(".bar-col")
    assert days.count() == 14
    boxes = [days.nth(n).bounding_box() for n in range(days.count())]
    today = timezone.localdate().isoformat()
    top = min(range(len(boxes)), key=lambda n: boxes[n]["y"])
    assert days.nth(top).get_attribute("data-day") == today  # first row on the screen
    assert days.nth(top).locator(".bar-label").inner_text() == "Today"
    # Nothing to scroll sideways: every day fits the 390 px screen.
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390
    browser.shot(page, "dashboard-phone")
    # Today's number opens the queue with today's two breached tickets.
    days.nth(top).locator("a.bar-value").click()
    page.wait_for_url("**/queue/**")
    assert page.locator("tr[data-reference]").count() == 2


def test_breaches_chart_reads_left_to_right_on_a_desktop(browser, manager):
    page = browser.page(manager, width=1280)
    page.goto("/dashboard/")
    days = page.locator(".bar-chart .bar-col")
    first, last = days.first.bounding_box(), days.last.bounding_box()
    assert first["x"] < last["x"] and days.last.get_attribute("data-day") == (
        timezone.localdate().isoformat()
    )
