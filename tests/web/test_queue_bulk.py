"""Bulk actions from the queue page: ticked tickets, one action, refused ones named."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Tier
from escalation.models import Escalation
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db


def notes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_queue_rows_carry_checkboxes_and_the_bulk_form(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    page = client.get(reverse("queue")).content.decode()
    assert f'name="ids" value="{ticket.pk}" form="bulk-form"' in page
    assert 'id="bulk-form"' in page and "data-select-all" in page


def test_ticked_tickets_change_status_and_refused_ones_are_named(
    client, alice, l1tech, make_ticket
):
    first, second = make_ticket(alice, subject="a"), make_ticket(alice, subject="b")
    closed = make_ticket(alice, subject="c")
    ticket_change_status(ticket=closed, actor=l1tech, status=Status.CLOSED)
    client.force_login(l1tech)
    response = client.post(
        reverse("queue-bulk"),
        {"ids": [first.pk, second.pk, closed.pk], "action": "status", "status": "on_hold"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("queue")
    said = notes(response)
    assert "2 tickets changed." in said
    assert any(closed.reference in m and m.startswith("1 ticket not changed") for m in said)
    statuses = Ticket.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    assert set(statuses) == {Status.ON_HOLD}
    assert TicketEvent.objects.filter(kind=EventKind.STATUS, after__status="on_hold").count() == 2


def test_escalate_from_the_queue_needs_the_handoff_note(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    refused = client.post(
        reverse("queue-bulk"), {"ids": [ticket.pk], "action": "escalate", "handoff_note": "x"}
    )
    assert any(m.startswith("Nothing was changed") for m in notes(refused))
    assert not Escalation.objects.exists()
    note = "Checked cabling and drivers; customer reports it fails on every PC."
    client.post(
        reverse("queue-bulk"), {"ids": [ticket.pk], "action": "escalate", "handoff_note": note}
    )
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2 and Escalation.objects.get().note == note


def test_customers_cannot_post_bulk_actions(client, alice, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(
        reverse("queue-bulk"), {"ids": [ticket.pk], "action": "status", "status": "closed"}
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_bad_ids_change_nothing(client, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    response = client.post(
        reverse("queue-bulk"), {"ids": ["１"], "action": "status", "status": "on_hold"}
    )
    assert response.status_code == 302 and any(
        m.startswith("Nothing was changed") for m in notes(response)
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_ticked_tickets_link_to_a_known_problem(client, alice, l1tech, l2tech, make_ticket):
    from knowledge.models import Problem, ProblemTicket

    problem = Problem.objects.create(title="Printers offline", description="Spooler.")
    first, second = make_ticket(alice, subject="a"), make_ticket(alice, subject="b")
    hidden = make_ticket(alice, subject="c")
    Ticket.objects.filter(pk=hidden.pk).update(tier=Tier.L3)
    client.force_login(l1tech)
    page = client.get(reverse("queue")).content.decode()
    assert 'value="problem"' in page and 'name="problem"' in page
    # A ticket the technician may not see: nothing is linked at all.
    response = client.post(
        reverse("queue-bulk"),
        {"ids": [first.pk, hidden.pk], "action": "problem", "problem": str(problem.pk)},
    )
    assert any(n.startswith("Nothing was linked") for n in notes(response))
    assert not ProblemTicket.objects.exists()
    response = client.post(
        reverse("queue-bulk"),
        {"ids": [first.pk, second.pk], "action": "problem", "problem": str(problem.pk)},
    )
    assert "2 tickets linked to the known problem “Printers offline”." in notes(response)
    assert set(ProblemTicket.objects.values_list("ticket_id", flat=True)) == {first.pk, second.pk}
    # An unknown or malformed problem number changes nothing.
    for bad in ("", "²", str(problem.pk + 99)):
        response = client.post(
            reverse("queue-bulk"), {"ids": [first.pk], "action": "problem", "problem": bad}
        )
        assert any(n.startswith("Nothing was linked") for n in notes(response))
    assert ProblemTicket.objects.count() == 2
