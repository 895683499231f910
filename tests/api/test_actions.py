"""Ticket actions through the API: the same services and rules as the UI."""

import pytest

from accounts.models import Tier
from escalation.models import Escalation
from tests.conftest import PNG_BYTES
from tickets.models import Reply, Status
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def url(ticket, action=""):
    return f"/api/v1/tickets/{ticket.pk}/{action}"


def test_replies_public_and_internal(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    staff = api(l1tech)
    public = staff.post(url(ticket, "replies/"), {"body": "Have you tried turning it off?"})
    assert public.status_code == 201 and public.json()["internal"] is False
    note = staff.post(url(ticket, "replies/"), {"body": "Customer sounds grumpy", "internal": True})
    assert note.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_at is not None
    customer = api(alice)
    bodies = [r["body"] for r in customer.get(url(ticket, "replies/")).json()["results"]]
    assert bodies == ["Have you tried turning it off?"]
    assert len(staff.get(url(ticket, "replies/")).json()["results"]) == 2
    refused = customer.post(url(ticket, "replies/"), {"body": "sneaky", "internal": True})
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    assert customer.post(url(ticket, "replies/"), {"body": "Yes"}).status_code == 201
    assert Reply.objects.filter(ticket=ticket).count() == 3


def test_assign(api, alice, l1tech, l2tech, file_ticket):
    ticket = file_ticket(alice)
    response = api(l1tech).post(url(ticket, "assign/"), {"assignee": l1tech.pk})
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == l1tech.pk
    assert response.json()["status"] == "open"
    # Technicians cannot hand work up a tier; that is what escalation is for.
    up = api(l1tech).post(url(ticket, "assign/"), {"assignee": l2tech.pk})
    assert up.status_code == 403
    assert api(alice).post(url(ticket, "assign/"), {"assignee": l1tech.pk}).status_code == 403
    unassign = api(l2tech).post(url(ticket, "assign/"), {"assignee": None})
    assert unassign.status_code == 200 and unassign.json()["assignee"] is None
    missing = api(l2tech).post(url(ticket, "assign/"), {"assignee": 999999})
    assert missing.status_code == 400 and "assignee" in missing.json()["fields"]


def test_acknowledge(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    assert ticket.response_due_at is not None
    response = api(l1tech).post(url(ticket, "acknowledge/"))
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind="acknowledged", actor=l1tech).exists()
    assert api(alice).post(url(ticket, "acknowledge/")).status_code == 403


def test_status_priority_and_rating(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    staff = api(l1tech)
    assert staff.post(url(ticket, "priority/"), {"priority": "P1"}).json()["priority"] == "P1"
    assert api(alice).post(url(ticket, "priority/"), {"priority": "P4"}).status_code == 403
    resolved = staff.post(url(ticket, "status/"), {"status": "resolved"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert staff.post(url(ticket, "rate/"), {"rating": 5}).status_code == 403
    rated = api(alice).post(url(ticket, "rate/"), {"rating": 4, "comment": "quick"})
    assert rated.status_code == 200 and rated.json()["satisfaction_rating"] == 4
    again = api(alice).post(url(ticket, "rate/"), {"rating": 1})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"


def test_escalate_needs_a_handoff_note(api, alice, l1tech, l2tech, file_ticket):
    ticket = file_ticket(alice)
    staff = api(l1tech)
    missing = staff.post(url(ticket, "escalate/"), {"expected_tier": "L1"})
    assert missing.status_code == 400 and "handoff_note" in missing.json()["fields"]
    short = staff.post(url(ticket, "escalate/"), {"handoff_note": "help", "expected_tier": "L1"})
    assert short.status_code == 400 and "handoff_note" in short.json()["fields"]
    note = "Checked the cable, restarted the spooler; customer says it jams on page 2."
    response = staff.post(url(ticket, "escalate/"), {"handoff_note": note, "expected_tier": "L1"})
    assert response.status_code == 200
    assert response.json()["tier"] == "L2"
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    assert Escalation.objects.get(ticket=ticket).note == note
    # The next tier sees the note on top of the ticket; the customer does not.
    assert api(l2tech).get(url(ticket)).json()["handoff_note"] == note
    assert api(alice).get(url(ticket)).json()["handoff_note"] is None
    # L1 still reads the ticket it handed off, but no longer works it.
    assert api(l1tech).get(url(ticket)).status_code == 200
    assert api(l1tech).post(url(ticket, "replies/"), {"body": "still me"}).status_code == 403
    refused = api(alice).post(
        url(ticket, "escalate/"), {"handoff_note": note, "expected_tier": "L1"}
    )
    assert refused.status_code == 403
    escalations = api(l2tech).get(url(ticket, "escalations/")).json()["results"]
    assert [(e["from_tier"], e["to_tier"], e["note"]) for e in escalations] == [("L1", "L2", note)]
    assert api(alice).get(url(ticket, "escalations/")).status_code == 403


def test_deescalate(api, alice, l1tech, l2tech, manager, file_ticket):
    ticket = file_ticket(alice)
    api(l1tech).post(url(ticket, "escalate/"), {"handoff_note": "x" * 30, "expected_tier": "L1"})
    refused = api(l2tech).post(
        url(ticket, "deescalate/"), {"tier": "L3", "reason": "r" * 20, "expected_tier": "L2"}
    )
    assert refused.status_code == 403
    missing = api(l2tech).post(url(ticket, "deescalate/"), {"tier": "L1", "expected_tier": "L2"})
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    response = api(l2tech).post(
        url(ticket, "deescalate/"),
        {"tier": "L1", "reason": "A known L1 fix exists (KB 12).", "expected_tier": "L2"},
    )
    assert response.status_code == 200 and response.json()["tier"] == "L1"
    same = api(manager).post(
        url(ticket, "deescalate/"), {"tier": "L1", "reason": "r" * 20, "expected_tier": "L1"}
    )
    assert same.status_code == 409 and same.json()["code"] == "same_tier"


def test_events_hide_internal_ones_from_customers(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    api(l1tech).post(url(ticket, "assign/"), {"assignee": l1tech.pk})
    ticket_reply(ticket=ticket, author=l1tech, body="internal", internal=True)
    staff_kinds = [e["kind"] for e in api(l1tech).get(url(ticket, "events/")).json()["results"]]
    customer = api(alice).get(url(ticket, "events/")).json()["results"]
    customer_kinds = [e["kind"] for e in customer]
    assert {"created", "assignee", "note", "clock_started"} <= set(staff_kinds)
    assert "created" in customer_kinds and "status" in customer_kinds
    assert not {"assignee", "note"} & set(customer_kinds)
    assert all(e["internal"] is False for e in customer)


def test_attachments_upload_list_and_download(api, alice, gina, l1tech, file_ticket, png_file):
    ticket = file_ticket(alice)
    client = api(alice)
    response = client.post(
        url(ticket, "attachments/"),
        {"files": [png_file("a.png"), png_file("b.png")]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    uploaded = response.json()
    assert [a["filename"] for a in uploaded] == ["a.png", "b.png"]
    listed = client.get(url(ticket, "attachments/")).json()["results"]
    assert [a["id"] for a in listed] == [a["id"] for a in uploaded]
    download = client.get(uploaded[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert api(l1tech).get(uploaded[0]["download"]).status_code == 200
    assert api(gina).get(uploaded[0]["download"]).status_code == 404
    # The right attachment under the wrong ticket is a 404 too.
    other = file_ticket(alice)
    wrong = f"/api/v1/tickets/{other.pk}/attachments/{uploaded[0]['id']}/"
    assert client.get(wrong).status_code == 404


def test_bad_uploads_are_refused(api, alice, file_ticket, text_file):
    ticket = file_ticket(alice)
    client = api(alice)
    fake = text_file("evil.png", b"<script>alert(1)</script>")
    response = client.post(url(ticket, "attachments/"), {"files": [fake]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"]["attachments"]
    empty = client.post(url(ticket, "attachments/"), {}, format="multipart")
    assert empty.status_code == 400


def test_internal_note_attachments_stay_internal(api, alice, l1tech, file_ticket, png_file):
    ticket = file_ticket(alice)
    ticket_reply(ticket=ticket, author=l1tech, body="log", internal=True, files=[png_file()])
    staff = api(l1tech).get(url(ticket, "attachments/")).json()["results"]
    assert len(staff) == 1 and staff[0]["internal"] is True
    assert api(alice).get(url(ticket, "attachments/")).json()["results"] == []
    assert api(alice).get(staff[0]["download"]).status_code == 404


def test_customers_do_not_read_deescalation_reasons_in_events(
    api, alice, l1tech, l2tech, file_ticket
):
    ticket = file_ticket(alice)
    api(l1tech).post(url(ticket, "escalate/"), {"handoff_note": "x" * 30, "expected_tier": "L1"})
    reason = "Customer keeps rebooting the wrong machine."
    api(l2tech).post(
        url(ticket, "deescalate/"), {"tier": "L1", "reason": reason, "expected_tier": "L2"}
    )
    staff = api(l2tech).get(url(ticket, "events/")).json()["results"]
    customer = api(alice).get(url(ticket, "events/")).json()["results"]
    assert all("reason" in e["after"] for e in staff if e["kind"] == "tier")
    assert [e["after"] for e in customer if e["kind"] == "tier"] == [{"tier": "L2"}, {"tier": "L1"}]
    assert api(l1tech).get(url(ticket)).json()["handoff_note"] == reason
    assert reason not in str(customer) + str(api(alice).get(url(ticket)).json())
