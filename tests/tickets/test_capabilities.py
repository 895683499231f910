# ruff: noqa: F401, F811 - the API fixtures are imported into this module to be used here
"""One answer to "what may this user do with this ticket now", on the page and in the API."""

import pytest
from django.urls import reverse

from accounts.models import Tier
from escalation.services.manual import ticket_escalate
from tests.api.conftest import api, file_ticket
from tickets.models import Status
from tickets.permissions import ticket_capabilities
from tickets.selectors import assignable_users
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db

HANDOFF = "Checked the cable, restarted the spooler, customer confirms it still fails."


def test_capabilities_follow_role_tier_and_state(file_ticket, alice, l1tech, l2tech, manager):
    ticket = file_ticket(alice)
    customer = ticket_capabilities(ticket=ticket, user=alice)
    assert customer.customer and not customer.work and customer.can_reply
    assert not (customer.can_rate or customer.can_escalate or customer.can_deescalate)
    l1 = ticket_capabilities(ticket=ticket, user=l1tech)
    assert l1.work and l1.can_escalate and l1.deescalate_to == [] and Status.OPEN in l1.statuses
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=HANDOFF)
    ticket.refresh_from_db()
    after = ticket_capabilities(ticket=ticket, user=l1tech)
    assert after.handed_off and not after.work and not after.can_reply and after.statuses == []
    assert ticket_capabilities(ticket=ticket, user=l2tech).deescalate_to == [Tier.L1]
    assert ticket_capabilities(ticket=ticket, user=manager).can_escalate
    ticket_change_status(ticket=ticket, actor=l2tech, status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert ticket_capabilities(ticket=ticket, user=alice).can_rate
    assert not ticket_capabilities(ticket=ticket, user=l2tech).can_escalate


def test_page_and_api_show_the_same_capabilities(
    client,
    api,
    file_ticket,
    alice,
    l1tech,
    l2tech,
    manager,
):
    ticket = file_ticket(alice)
    ticket = ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=HANDOFF).ticket
    for user in (alice, l1tech, l2tech, manager):
        expected = ticket_capabilities(ticket=ticket, user=user)
        body = api(user).get(f"/api/v1/tickets/{ticket.pk}/").json()
        assert body["allowed_statuses"] == expected.statuses
        assert body["capabilities"] == {
            "can_reply": expected.can_reply,
            "can_rate": expected.can_rate,
            "can_escalate": expected.can_escalate,
            "can_deescalate": expected.can_deescalate,
            "deescalate_to": expected.deescalate_to,
        }
        client.force_login(user)
        context = client.get(reverse("ticket-detail", args=[ticket.reference])).context
        statuses = [value for value, _ in context["forms"]["status"].fields["status"].choices]
        assert statuses == expected.statuses
        assert context["can_reply"] == expected.can_reply
        assert context.get("can_escalate", False) == expected.can_escalate


def test_the_api_assigns_only_whom_the_page_offers(
    client,
    api,
    file_ticket,
    alice,
    l1tech,
    l2tech,
    l3tech,
    manager,
):
    ticket = file_ticket(alice)
    ticket = ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=HANDOFF).ticket
    offered = set(assignable_users(ticket=ticket))
    client.force_login(manager)
    page = client.get(reverse("ticket-detail", args=[ticket.reference]))
    assert set(page.context["assignable"]) == offered
    assert l1tech not in offered and {l2tech, l3tech, manager} <= offered
    refused = api(manager).post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": l1tech.pk})
    assert refused.status_code == 400 and "assignee" in refused.json()["fields"]
    done = api(manager).post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": l3tech.pk})
    assert done.status_code == 200 and done.json()["assignee"]["id"] == l3tech.pk
