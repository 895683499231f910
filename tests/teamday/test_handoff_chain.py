"""L3 reads the whole hand-off chain: every note in order, Markdown, pinned for its tier."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Tier
from escalation.services.manual import ticket_deescalate, ticket_escalate
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

NOTES = [
    "L1: checked **DNS** and the cable; the customer says it fails after lunch.",
    "L2: not a network fault, back to L1 to collect the *event log* please.",
    "L1: event log attached; error 0x80070005 on every start of the client.",
    "L2: reproduced on a clean image; needs a code fix, L3 please look at `sync.dll`.",
]


@pytest.fixture
def chained(alice, l1tech, l2tech):
    ticket = ticket_create(requester=alice, subject="Sync fails", description="Daily.")
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTES[0])
    ticket_deescalate(ticket=ticket, actor=l2tech, tier=Tier.L1, reason=NOTES[1])
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTES[2])
    ticket_escalate(ticket=ticket, actor=l2tech, handoff_note=NOTES[3])
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L3
    return ticket


def test_l3_page_shows_every_note_in_order_rendered(
    client, chained, l3tech, django_assert_num_queries
):
    client.force_login(l3tech)
    page = reverse("ticket-detail", args=[chained.reference])
    client.get(page)
    with django_assert_num_queries(25):  # + the header's unread count
        html = client.get(page).content.decode()
    chain = html[html.index('data-testid="handoff"') : html.index("</aside>")]
    positions = [chain.index(marker) for marker in ("<strong>DNS</strong>", "<em>event log</em>")]
    positions += [chain.index("0x80070005"), chain.index("<code>sync.dll</code>")]
    assert positions == sorted(positions)
    assert "Hand-off chain · 4 notes" in chain
    pinned = chain[chain.index("pinned") :]
    assert "For L3" in pinned and "sync.dll" in pinned and "DNS" not in pinned
    # The history says what each escalation's note was.
    history = html[html.index('id="timeline-title"') :]
    assert "event log attached" in history and "L3 please look" in history


def test_api_gives_the_chain_to_staff_only(chained, l3tech, alice):
    api = APIClient()
    api.force_authenticate(l3tech)
    data = api.get(f"/api/v1/tickets/{chained.pk}/").json()
    assert [step["note"] for step in data["handoff_chain"]] == NOTES
    assert [(s["from_tier"], s["to_tier"]) for s in data["handoff_chain"]] == [
        ("L1", "L2"),
        ("L2", "L1"),
        ("L1", "L2"),
        ("L2", "L3"),
    ]
    assert [s["pinned"] for s in data["handoff_chain"]] == [False, False, False, True]
    assert "<strong>DNS</strong>" in data["handoff_chain"][0]["note_html"]
    assert data["handoff_note"] == NOTES[3]
    api.force_authenticate(alice)
    data = api.get(f"/api/v1/tickets/{chained.pk}/").json()
    assert data["handoff_chain"] is None and data["handoff_note"] is None
    assert "DNS" not in str(data)
