"""The in-app notification list: only one's own rows, the header count, marks by POST."""

import pytest
from django.test import Client
from django.urls import reverse

from escalation.models import Notification
from escalation.selectors import UNREAD_CAP
from escalation.services.manual import ticket_escalate
from tickets.services import ticket_change_status, ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(alice, l1tech):
    """Three status notices for alice (newest first in her list)."""
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    for status in ("on_hold", "open", "pending_customer"):
        ticket_change_status(ticket=ticket, actor=l1tech, status=status)
    return ticket, list(Notification.objects.filter(recipient=alice).order_by("-created_at", "-id"))


def test_the_list_shows_ones_own_notices_newest_first_with_links(client, alice, notices):
    ticket, rows = notices
    client.force_login(alice)
    page = client.get(reverse("notifications")).content.decode()
    positions = [page.index(f'id="notice-{row.pk}"') for row in rows]
    assert positions == sorted(positions)
    assert "Waiting for customer" in page and "pending_customer" not in page
    assert reverse("notification-open", args=[rows[0].pk]) in page
    # The header of every page counts what is unread.
    assert 'id="unread-count">3<' in client.get(reverse("home")).content.decode()
    # Followed, a notice leads to its ticket and counts as read.
    response = client.get(reverse("notification-open", args=[rows[0].pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket-detail", args=[ticket.reference])
    rows[0].refresh_from_db()
    assert rows[0].read_at is not None
    assert 'id="unread-count">2<' in client.get(reverse("home")).content.decode()


def test_another_users_notice_is_404_and_unchanged(client, bob, notices):
    _, rows = notices
    client.force_login(bob)
    assert client.get(reverse("notification-open", args=[rows[0].pk])).status_code == 404
    assert client.post(reverse("notification-read", args=[rows[0].pk])).status_code == 404
    assert client.post(reverse("notifications-read-all")).status_code == 302
    assert not Notification.objects.filter(pk__in=[r.pk for r in rows], read_at__isnull=False)
    assert f'id="notice-{rows[0].pk}"' not in client.get(reverse("notifications")).content.decode()


def test_a_ticket_one_can_no_longer_see_is_404_when_followed(client, alice, l1tech, manager):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    notice = Notification.objects.get(recipient=l1tech, ticket=ticket)
    client.force_login(l1tech)
    assert client.get(reverse("notification-open", args=[notice.pk])).status_code == 302
    ticket_escalate(
        ticket=ticket,
        actor=manager,
        handoff_note="Checked the driver, it crashes on print; needs L2.",
    )
    escalated = ticket_escalate(
        ticket=ticket,
        actor=manager,
        handoff_note="Driver reinstalled, still crashes; firmware bug for L3.",
    )
    assert escalated.to_tier == "L3"
    assert client.get(reverse("notification-open", args=[notice.pk])).status_code == 404


def test_mark_one_and_all_read_by_post_with_csrf(alice, notices):
    _, rows = notices
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert browser.post(reverse("notification-read", args=[rows[0].pk])).status_code == 403
    assert browser.get(reverse("notification-read", args=[rows[0].pk])).status_code == 405
    page = browser.get(reverse("notifications"))
    token = page.cookies["csrftoken"].value
    response = browser.post(
        reverse("notification-read", args=[rows[0].pk]),
        {"csrfmiddlewaretoken": token, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("notifications")
    assert Notification.objects.get(pk=rows[0].pk).read_at is not None
    assert 'id="unread-count">2<' in browser.get(reverse("notifications")).content.decode()
    browser.post(reverse("notifications-read-all"), {"csrfmiddlewaretoken": token})
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    page = browser.get(reverse("notifications") + "?unread=1").content.decode()
    assert 'id="unread-count"' not in page and "Nothing unread." in page


def test_the_header_count_stops_at_the_cap(client, alice, l1tech):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=alice,
                kind="status",
                ticket=ticket,
                subject=f"Notice {n}",
                body="",
                cause_key=f"test:{n}",
                created_at=ticket.created_at,
                next_attempt_at=ticket.created_at,
                mail=False,
            )
            for n in range(UNREAD_CAP + 5)
        ]
    )
    client.force_login(alice)
    assert f'id="unread-count">{UNREAD_CAP}+<' in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [3, 60])
def test_list_query_count_does_not_grow(client, alice, l1tech, count, django_assert_num_queries):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    now = ticket.created_at
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=alice,
                kind="status",
                ticket=ticket,
                subject=f"Notice {n}",
                body="",
                cause_key=f"test:{n}",
                created_at=now,
                next_attempt_at=now,
            )
            for n in range(count)
        ]
    )
    client.force_login(alice)
    # session, user, the page of notices (tickets joined), the header's unread count
    with django_assert_num_queries(4):
        first = client.get(reverse("notifications"))
    assert first.status_code == 200
    rows = Notification.objects.filter(recipient=alice).order_by("-created_at", "-id")
    oldest_shown = rows[min(count, 50) - 1]
    # An older page: the same queries (the anchor is a subquery), the rest of the rows.
    with django_assert_num_queries(4):
        older = client.get(reverse("notifications"), {"before": oldest_shown.pk})
    body = older.content.decode()
    if count > 50:
        assert f'id="notice-{rows[50].pk}"' in body
        assert f'id="notice-{oldest_shown.pk}"' not in body
        assert "Older notifications" in first.content.decode()
    else:
        assert "No notifications yet." in body
