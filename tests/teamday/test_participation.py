"""Technicians keep reading the tickets they worked on after those move on."""

import pytest
from django.urls import reverse

from accounts.models import Tier
from common.errors import NotAllowed
from escalation.services.manual import ticket_escalate
from tickets.models import Reply, Ticket
from tickets.selectors import ticket_get
from tickets.services import ticket_assign, ticket_create, ticket_move_tier, ticket_reply

pytestmark = pytest.mark.django_db

NOTE = "Checked the VPN logs and reinstalled the client; fails on Wi-Fi only."


@pytest.fixture
def ticket(alice):
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.")


def test_escalating_technician_keeps_read_access_not_work(ticket, l1tech, l2tech, l3tech):
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=NOTE + " L2 too.")
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L3
    for tech in (l1tech, l2tech):
        assert ticket_get(user=tech, reference=ticket.reference) == ticket
    with pytest.raises(NotAllowed):
        ticket_reply(ticket=ticket, author=l1tech, body="Still me")
    assert not Reply.objects.exists()


def test_reply_note_and_assignment_count_as_participation(alice, l1tech, l2tech, manager):
    other = ticket_create(requester=alice, subject="Other", description="Untouched")
    replied = ticket_create(requester=alice, subject="Replied", description="x")
    noted = ticket_create(requester=alice, subject="Noted", description="x")
    assigned = ticket_create(requester=alice, subject="Assigned", description="x")
    ticket_reply(ticket=replied, author=l1tech, body="Answer")
    ticket_reply(ticket=noted, author=l1tech, body="Note", internal=True)
    ticket_assign(ticket=assigned, actor=manager, assignee=l1tech)
    for t in (other, replied, noted, assigned):
        ticket_move_tier(ticket=t, actor=manager, tier=Tier.L2, reason="Moved by a manager.")
    visible = set(Ticket.objects.visible_to(l1tech).values_list("subject", flat=True))
    assert visible == {"Replied", "Noted", "Assigned"}


def test_handed_off_page_is_read_only_with_current_tier(
    client, ticket, l1tech, l2tech, django_assert_num_queries
):
    ticket_reply(ticket=ticket, author=l1tech, body="Internal check", internal=True)
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    client.force_login(l1tech)
    client.get(reverse("ticket-detail", args=[ticket.reference]))  # warm session/caches
    with django_assert_num_queries(13):  # + the header's unread count
        response = client.get(reverse("ticket-detail", args=[ticket.reference]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="handed-off"' in html and "now with Level 2" in html
    assert "Internal check" in html and "History" in html
    assert "ticket-escalate" not in html and 'id="reply-title"' not in html
    assert reverse("ticket-reply", args=[ticket.reference]) not in html
    assert reverse("ticket-rate", args=[ticket.reference]) not in html


def test_escalating_in_the_browser_path_lands_on_the_queue_with_a_link(client, ticket, l1tech):
    client.force_login(l1tech)
    response = client.post(
        reverse("ticket-escalate", args=[ticket.reference]),
        {"handoff_note": NOTE, "expected_tier": "L1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("queue")
    html = response.content.decode()
    assert f"Escalated: {ticket.reference} is now with Level 2" in html
    assert f'href="{reverse("ticket-detail", args=[ticket.reference])}"' in html


def test_handed_off_by_me_view(client, alice, ticket, l1tech, django_assert_num_queries):
    mine_elsewhere = ticket_create(requester=alice, subject="Mine moved", description="x")
    ticket_escalate(ticket=mine_elsewhere, actor=l1tech, handoff_note=NOTE)
    client.force_login(l1tech)
    client.get(reverse("queue"))
    with django_assert_num_queries(10):  # + bulk-assignable staff, the unread count
        html = client.get(reverse("queue"), {"who": "handed_off"}).content.decode()
    assert "Handed off by me" in html
    assert mine_elsewhere.reference in html and ticket.reference not in html
    assert "Level 2" in html
