"""Claiming (assigning to oneself) a ticket someone else holds is a 409 naming the holder.

Two technicians who both press "Take it" on an unassigned ticket used to both get 200, the
later silently taking it from the first. Deliberate reassignment stays possible: a manager
assigning to someone, or anyone who passes the assignee they saw (`expected_assignee`).
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Tier
from common.errors import Conflict
from tests.factories import TechnicianFactory
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_assign


def url(ticket):
    return f"/api/v1/tickets/{ticket.pk}/assign/"


@pytest.fixture
def l1other(db):
    return TechnicianFactory(username="l1other", tier=Tier.L1, first_name="Olga")


def assignee_events(ticket):
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count()


@pytest.mark.django_db
def test_claiming_a_held_ticket_is_a_409_naming_the_holder(
    api, file_ticket, alice, l1tech, l1other
):
    ticket = file_ticket(alice)
    assert api(l1tech).post(url(ticket), {"assignee": l1tech.pk}).status_code == 200
    late = api(l1other).post(url(ticket), {"assignee": l1other.pk})
    assert late.status_code == 409
    assert late.json()["code"] == "held"
    assert "l1tech" in late.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.assignee == l1tech
    assert assignee_events(ticket) == 1
    # Claiming again what one already holds changes nothing and is no conflict.
    assert api(l1tech).post(url(ticket), {"assignee": l1tech.pk}).status_code == 200


@pytest.mark.django_db
def test_taking_over_on_purpose_names_the_holder_one_saw(api, file_ticket, alice, l1tech, l1other):
    ticket = file_ticket(alice)
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    wrong = api(l1other).post(url(ticket), {"assignee": l1other.pk, "expected_assignee": None})
    assert wrong.status_code == 409 and wrong.json()["code"] == "stale"
    assert "l1tech" in wrong.json()["detail"]
    takeover = api(l1other).post(
        url(ticket), {"assignee": l1other.pk, "expected_assignee": l1tech.pk}, format="json"
    )
    assert takeover.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == l1other


@pytest.mark.django_db
def test_managers_reassign_deliberately(api, file_ticket, alice, l1tech, l1other, manager):
    ticket = file_ticket(alice)
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    moved = api(manager).post(url(ticket), {"assignee": l1other.pk})
    assert moved.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == l1other
    # A manager taking it for themselves is a claim like anyone's.
    mine = api(manager).post(url(ticket), {"assignee": manager.pk})
    assert mine.status_code == 409 and mine.json()["code"] == "held"


@pytest.mark.django_db(transaction=True)
def test_two_technicians_claiming_at_once_one_wins(api, file_ticket, alice, l1tech, l1other):
    ticket = file_ticket(alice)
    barrier = threading.Barrier(2)
    results = {}

    def claim(user):
        try:
            client = api(user)
            barrier.wait()
            results[user.username] = client.post(url(ticket), {"assignee": user.pk})
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (l1tech, l1other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 409]
    ticket.refresh_from_db()
    winner = next(name for name, r in results.items() if r.status_code == 200)
    loser = next(r for r in results.values() if r.status_code == 409)
    assert ticket.assignee.username == winner
    assert str(ticket.assignee) in loser.json()["detail"]  # "Olga" or "l1tech"
    assert assignee_events(ticket) == 1


@pytest.mark.django_db
def test_take_it_on_a_page_that_went_stale_is_refused_in_the_browser(
    client, file_ticket, alice, l1tech, l1other
):
    ticket = file_ticket(alice)
    client.force_login(l1other)
    page = client.get(reverse("ticket-detail", args=[ticket.reference]))
    assert b'name="expected_assignee" value=""' in page.content
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)  # meanwhile
    response = client.post(
        reverse("ticket-claim", args=[ticket.reference]), {"expected_assignee": ""}
    )
    assert response.status_code == 409
    assert "l1tech" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee == l1tech
    # The refreshed page names the holder it saw; taking over is then deliberate.
    response = client.post(
        reverse("ticket-claim", args=[ticket.reference]), {"expected_assignee": str(l1tech.pk)}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == l1other


@pytest.mark.django_db
def test_the_service_refuses_a_claim_of_a_held_ticket(file_ticket, alice, l1tech, l1other):
    ticket = file_ticket(alice)
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    with pytest.raises(Conflict) as refused:
        ticket_assign(ticket=ticket, actor=l1other, assignee=l1other)
    assert refused.value.code == "held"
    ticket_assign(ticket=ticket, actor=l1other, assignee=l1other, expected_assignee=l1tech)
    ticket.refresh_from_db()
    assert ticket.assignee == l1other
