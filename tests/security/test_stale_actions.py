"""An action decided on a stale view of the ticket is refused (409), never applied twice.

The tier (and, where given, the status or the assignee) the person saw travels with the
request; the service compares it under the ticket's row lock. Two technicians escalating the
same L1 ticket at once used to move it L1 → L3 with two escalation records; an escalation
racing a de-escalation used to apply both.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Tier
from escalation.models import Escalation
from escalation.services.manual import ticket_deescalate, ticket_escalate
from tests.factories import TechnicianFactory
from tickets.models import Status, Ticket

HANDOFF = "Checked the cable, restarted the spooler, customer confirms it still fails."
REASON = "Known L1 fix exists: reinstall the driver (KB 12)."


def url(ticket, action):
    return f"/api/v1/tickets/{ticket.pk}/{action}/"


def at_once(*calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_escalations_from_l1_move_the_ticket_once(api, file_ticket, alice, l1tech):
    other = TechnicianFactory(username="l1other", tier=Tier.L1)
    ticket = file_ticket(alice)
    body = {"handoff_note": HANDOFF, "expected_tier": "L1"}
    first, second = at_once(
        lambda: api(l1tech).post(url(ticket, "escalate"), body),
        lambda: api(other).post(url(ticket, "escalate"), body),
    )
    codes = sorted([first.status_code, second.status_code])
    refused = second if first.status_code == 200 else first
    # The loser is refused either way: as stale if it read the ticket before the winner's
    # commit, or as not found if it looked the ticket up after it (an L1 technician who
    # never worked on it no longer sees an L2 ticket). Which one depends on the timing.
    assert codes in ([200, 409], [200, 404])
    if refused.status_code == 409:
        assert refused.json()["code"] == "stale"
    else:
        assert refused.json()["code"] == "not_found"
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    assert Escalation.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db(transaction=True)
def test_escalation_racing_a_deescalation_applies_only_one(
    api, file_ticket, alice, l1tech, l2tech, manager
):
    ticket = file_ticket(alice)
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=HANDOFF)
    up, down = at_once(
        lambda: api(l2tech).post(
            url(ticket, "escalate"), {"handoff_note": HANDOFF, "expected_tier": "L2"}
        ),
        lambda: api(manager).post(
            url(ticket, "deescalate"), {"tier": "L1", "reason": REASON, "expected_tier": "L2"}
        ),
    )
    assert sorted([up.status_code, down.status_code]) == [200, 409]
    ticket.refresh_from_db()
    assert ticket.tier == (Tier.L3 if up.status_code == 200 else Tier.L1)
    assert Escalation.objects.filter(ticket=ticket).count() == 2  # the first and one of these


@pytest.mark.django_db
def test_the_api_requires_the_tier_the_caller_saw(api, file_ticket, alice, l1tech, manager):
    ticket = file_ticket(alice)
    missing = api(l1tech).post(url(ticket, "escalate"), {"handoff_note": HANDOFF})
    assert missing.status_code == 400 and "expected_tier" in missing.json()["fields"]
    bogus = api(l1tech).post(url(ticket, "escalate"), {"handoff_note": HANDOFF, "expected_tier": 3})
    assert bogus.status_code == 400 and "expected_tier" in bogus.json()["fields"]
    stale = api(manager).post(
        url(ticket, "deescalate"), {"tier": "L1", "reason": REASON, "expected_tier": "L3"}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert "L1" in stale.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L1 and not Escalation.objects.exists()


@pytest.mark.django_db
def test_a_status_change_decided_on_another_status_is_refused(api, file_ticket, alice, l1tech):
    ticket = file_ticket(alice)
    stale = api(l1tech).post(
        url(ticket, "status"), {"status": Status.RESOLVED, "expected_status": Status.OPEN}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    fresh = api(l1tech).post(
        url(ticket, "status"), {"status": Status.OPEN, "expected_status": Status.NEW}
    )
    assert fresh.status_code == 200
    # Without the field the change still goes through (the state machine decides).
    assert api(l1tech).post(url(ticket, "status"), {"status": Status.RESOLVED}).status_code == 200


@pytest.mark.django_db
def test_the_web_forms_carry_the_tier_and_a_stale_one_is_a_409_page(
    client, file_ticket, alice, l2tech, manager
):
    ticket = file_ticket(alice)
    client.force_login(manager)
    page = client.get(reverse("ticket-detail", args=[ticket.reference]))
    assert b'name="expected_tier" value="L1"' in page.content
    assert b'name="expected_status" value="new"' in page.content
    # Someone else escalates while the page is open…
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=HANDOFF, expected_tier=Tier.L1)
    # …so the form, still saying L1, is refused instead of moving the ticket to L3.
    response = client.post(
        reverse("ticket-escalate", args=[ticket.reference]),
        {"handoff_note": HANDOFF, "expected_tier": "L1"},
    )
    assert response.status_code == 409
    assert "L2" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).tier == Tier.L2
    assert Escalation.objects.count() == 1
    missing = client.post(
        reverse("ticket-escalate", args=[ticket.reference]), {"handoff_note": HANDOFF}
    )
    assert missing.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).tier == Tier.L2


@pytest.mark.django_db
def test_services_compare_under_the_lock(file_ticket, alice, l1tech, l2tech, manager):
    from common.errors import Conflict

    ticket = file_ticket(alice)
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=HANDOFF, expected_tier=Tier.L1)
    # `ticket` is the object fetched before the move: its tier attribute still says L1.
    with pytest.raises(Conflict) as refused:
        ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=HANDOFF, expected_tier=Tier.L1)
    assert refused.value.code == "stale"
    with pytest.raises(Conflict):
        ticket_deescalate(
            ticket=ticket, actor=manager, tier=Tier.L1, reason=REASON, expected_tier=Tier.L3
        )
    assert Ticket.objects.get(pk=ticket.pk).tier == Tier.L2


@pytest.mark.django_db
def test_an_escalation_after_another_technicians_is_not_found(api, file_ticket, alice, l1tech):
    """The late half of the race above, on its own: the ticket moved to L2 before the second
    L1 technician looked it up, and an L2 ticket nobody in L1 worked on is not theirs."""
    other = TechnicianFactory(username="l1other", tier=Tier.L1)
    ticket = file_ticket(alice)
    body = {"handoff_note": HANDOFF, "expected_tier": "L1"}
    assert api(l1tech).post(url(ticket, "escalate"), body).status_code == 200
    late = api(other).post(url(ticket, "escalate"), body)
    assert late.status_code == 404 and late.json()["code"] == "not_found"
    assert Escalation.objects.filter(ticket=ticket).count() == 1
