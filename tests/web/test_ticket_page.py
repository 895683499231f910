"""The ticket page: who sees what, and every action posted from it."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Tier
from escalation.models import Escalation
from sla.models import Agreement
from tickets.models import Reply, Status, Ticket, TicketEvent
from tickets.services import ticket_change_status, ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


def url(ticket, name="ticket-detail"):
    return reverse(name, args=[ticket.reference])


def test_others_get_404_on_page_and_actions(client, alice, bob, gina, make_ticket):
    ticket = make_ticket(alice)
    for outsider in (bob, gina):
        client.force_login(outsider)
        assert client.get(url(ticket)).status_code == 404
        assert client.post(url(ticket, "ticket-reply"), {"body": "hi"}).status_code == 404
        assert client.post(url(ticket, "ticket-status"), {"status": "closed"}).status_code == 404
    assert client.get("/tickets/HD-999999/").status_code == 404
    assert client.get("/tickets/nonsense/").status_code == 404
    assert not Reply.objects.exists()


def test_customer_never_sees_internal_notes_staff_see_them_marked(
    client, alice, l1tech, make_ticket
):
    ticket = make_ticket(alice)
    ticket_reply(ticket=ticket, author=l1tech, body="Public answer")
    ticket_reply(ticket=ticket, author=l1tech, body="Secret staff note", internal=True)
    client.force_login(alice)
    html = client.get(url(ticket)).content.decode()
    assert "Public answer" in html and "Secret staff note" not in html
    assert "History" not in html
    client.force_login(l1tech)
    html = client.get(url(ticket)).content.decode()
    assert "Secret staff note" in html
    assert "message reply internal" in html and "not visible to the customer" in html
    assert "History" in html


def test_customer_reply_with_file(client, alice, make_ticket, text_file):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(
        url(ticket, "ticket-reply"), {"body": "More *detail*", "attachments": [text_file()]}
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert reply.author == alice and not reply.internal
    assert reply.attachments.get().filename == "notes.txt"
    html = client.get(url(ticket)).content.decode()
    assert "<em>detail</em>" in html and "notes.txt" in html


def test_customer_cannot_write_internal_notes(client, alice, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(url(ticket, "ticket-reply"), {"body": "x", "internal": "on"})
    assert response.status_code == 403
    assert not Reply.objects.exists()


def test_empty_reply_is_400_next_to_the_field(client, alice, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(url(ticket, "ticket-reply"), {"body": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Reply.objects.exists()


def test_illegal_status_change_is_refused_with_a_message(client, alice, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(url(ticket, "ticket-status"), {"status": "resolved"})
    assert response.status_code == 409
    assert "Only the support team can make this change." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_customer_closes_reopens_and_rates(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    client.force_login(alice)
    html = client.get(url(ticket)).content.decode()
    assert "Reopen ticket" in html and "Rate our help" in html
    assert client.post(url(ticket, "ticket-status"), {"status": "open"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert client.post(url(ticket, "ticket-status"), {"status": "closed"}).status_code == 302
    response = client.post(url(ticket, "ticket-rate"), {"rating": "5", "comment": "Quick!"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction_rating) == (Status.CLOSED, 5)
    response = client.post(url(ticket, "ticket-rate"), {"rating": "1"})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.satisfaction_rating == 5


def test_reopen_is_refused_after_the_allowed_days(client, alice, l1tech, make_ticket, settings):
    ticket = make_ticket(alice)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    Ticket.objects.filter(pk=ticket.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=settings.TIERDESK_REOPEN_DAYS + 1)
    )
    client.force_login(alice)
    assert "Reopen ticket" not in client.get(url(ticket)).content.decode()
    response = client.post(url(ticket, "ticket-status"), {"status": "open"})
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_technician_claims_acknowledges_notes_and_changes_priority(
    client, alice, l1tech, make_ticket
):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    assert client.post(url(ticket, "ticket-claim")).status_code == 302
    assert client.post(url(ticket, "ticket-acknowledge")).status_code == 302
    assert client.post(url(ticket, "ticket-priority"), {"priority": "P1"}).status_code == 302
    client.post(url(ticket, "ticket-reply"), {"body": "Checked cables", "internal": "on"})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.priority) == (l1tech, Status.OPEN, "P1")
    assert Reply.objects.get().internal
    html = client.get(url(ticket)).content.decode()
    assert "Acknowledged" in html and "Priority: P3 normal → P1 critical" in html


def test_assigning_someone_who_cannot_work_the_tier_is_400(
    client, alice, l1tech, manager, make_ticket
):
    ticket = make_ticket(alice)
    Ticket.objects.filter(pk=ticket.pk).update(tier=Tier.L2)
    client.force_login(manager)
    response = client.post(url(ticket, "ticket-assign"), {"assignee": l1tech.pk})
    assert response.status_code == 400
    assert "Choose someone who can work this ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_escalation_requires_a_handoff_note(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    response = client.post(
        url(ticket, "ticket-escalate"), {"handoff_note": "  ", "expected_tier": "L1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-open-on-load" in html and 'class="error"' in html
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1 and not Escalation.objects.exists()


def test_escalation_pins_the_handoff_note_for_the_next_tier(
    client, alice, l1tech, l2tech, make_ticket
):
    ticket = make_ticket(alice)
    note = "Restarted the VPN client, cleared the cache; customer says it fails since Monday."
    client.force_login(l1tech)
    escalate = {"handoff_note": note, "expected_tier": "L1"}
    assert client.post(url(ticket, "ticket-escalate"), escalate).status_code == 302
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    client.force_login(l2tech)
    html = client.get(url(ticket)).content.decode()
    assert 'data-testid="handoff"' in html and "customer says it fails since Monday" in html
    assert "Escalated from Level 1 to Level 2" in html
    assert "SLA clock started: response at Level 2" in html
    client.force_login(alice)
    assert "customer says it fails" not in client.get(url(ticket)).content.decode()
    # Sent back down with a note.
    client.force_login(l2tech)
    response = client.post(
        url(ticket, "ticket-deescalate"),
        {"tier": "L1", "reason": "Not a server fault: client.", "expected_tier": "L2"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1


def test_get_changes_nothing(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    events = TicketEvent.objects.count()
    for name in ("ticket-claim", "ticket-acknowledge", "ticket-escalate", "ticket-status"):
        assert client.get(url(ticket, name)).status_code == 405
    assert TicketEvent.objects.count() == events


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_does_not_grow(
    client, alice, l1tech, make_ticket, text_file, rows, django_assert_num_queries
):
    ticket = make_ticket(alice)
    for n in range(rows):
        ticket_reply(ticket=ticket, author=l1tech, body=f"reply {n}", files=[text_file()])
        ticket_reply(ticket=ticket, author=l1tech, body=f"note {n}", internal=True)
    client.force_login(l1tech)
    # session, user, ticket, agreement, replies, their files, ticket files, events, handoff,
    # assignable; panels: macros, requester targets/open/recent, watchers, colleagues, links, tags;
    # known problems, release fixes; verify panel: articles (any word, else trigram), similar
    # resolved tickets, open problems to link; mails received (articles: one query fewer on
    # SQLite, no trigram stage)
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(26 if connection.vendor == "postgresql" else 25):
        response = client.get(url(ticket))
    assert response.status_code == 200
    client.force_login(alice)
    # customers: no events, hand-off or assignable list; watchers and colleagues to copy in;
    # known problems, release fixes, the unread notices in the page header
    with django_assert_num_queries(12):
        assert client.get(url(ticket)).status_code == 200


def test_too_short_notes_are_refused_next_to_the_field(client, alice, l1tech, l2tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    response = client.post(
        url(ticket, "ticket-escalate"), {"handoff_note": "tried stuff", "expected_tier": "L1"}
    )
    assert response.status_code == 400
    assert "Write at least 20 characters" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1
    Ticket.objects.filter(pk=ticket.pk).update(tier=Tier.L2)
    client.force_login(l2tech)
    response = client.post(
        url(ticket, "ticket-deescalate"), {"tier": "L1", "reason": "no", "expected_tier": "L2"}
    )
    assert response.status_code == 400
    assert '<details class="deescalate" open>' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2


def test_add_files_without_a_message(client, alice, bob, make_ticket, png_file):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(url(ticket, "ticket-add-files"), {"files": [png_file("log.png")]})
    assert response.status_code == 302
    assert ticket.attachments.get().filename == "log.png"
    response = client.post(url(ticket, "ticket-add-files"), {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    client.force_login(bob)
    assert client.post(url(ticket, "ticket-add-files"), {"files": [png_file()]}).status_code == 404
    assert ticket.attachments.count() == 1


def test_the_applied_agreement_is_shown_to_staff_and_customer(client, alice, l1tech):
    standard = Agreement.objects.get(is_default=True)  # shipped by a data migration
    ticket = ticket_create(requester=alice, subject="VPN", description="down")
    for user in (l1tech, alice):
        client.force_login(user)
        page = client.get(url(ticket)).content.decode()
        assert "Service agreement" in page and standard.name in page
