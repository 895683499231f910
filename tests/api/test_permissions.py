"""Who gets what, as one table: the same visibility and rules as the UI.

The ticket is alice's, at L2 (escalated), so L1 cannot see it while L2, L3
and managers can; bob is alice's colleague (not a contact person), gina is
in another organisation.
"""

import pytest

from accounts.models import Tier
from tickets.services import ticket_move_tier

pytestmark = pytest.mark.django_db

ROLES = ["alice", "bob", "gina", "l1tech", "l2tech", "l3tech", "manager", None]
# Expected status per role, in ROLES order.
MATRIX = {
    ("get", "{t}"): [200, 404, 404, 404, 200, 200, 200, 401],
    ("get", "{t}events/"): [200, 404, 404, 404, 200, 200, 200, 401],
    ("get", "{t}replies/"): [200, 404, 404, 404, 200, 200, 200, 401],
    ("get", "{t}attachments/"): [200, 404, 404, 404, 200, 200, 200, 401],
    ("get", "{t}escalations/"): [403, 403, 403, 404, 200, 200, 200, 401],
    ("post", "{t}replies/"): [201, 404, 404, 404, 201, 201, 201, 401],
    ("post", "{t}replies/#internal"): [403, 404, 404, 404, 201, 201, 201, 401],
    ("post", "{t}acknowledge/"): [403, 404, 404, 404, 200, 200, 200, 401],
    ("post", "{t}assign/"): [403, 404, 404, 404, 200, 200, 200, 401],
    # The state machine itself refuses a customer's "on hold" (tickets.permissions): 409.
    ("post", "{t}status/"): [409, 404, 404, 404, 200, 200, 200, 401],
    ("post", "{t}priority/"): [403, 404, 404, 404, 200, 200, 200, 401],
    ("post", "{t}escalate/"): [403, 404, 404, 404, 200, 200, 200, 401],
    ("get", "/api/v1/tickets/"): [200, 200, 200, 200, 200, 200, 200, 401],
    ("get", "/api/v1/organisations/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/users/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/calendars/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/agreements/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/escalation-rules/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/webhooks/"): [403, 403, 403, 403, 403, 403, 200, 401],
    ("get", "/api/v1/sla/dashboard/"): [403, 403, 403, 403, 403, 403, 200, 401],
}
BODIES = {
    "{t}replies/": {"body": "Any news?"},
    "{t}replies/#internal": {"body": "Between us", "internal": True},
    "{t}status/": {"status": "on_hold"},
    "{t}priority/": {"priority": "P2"},
    "{t}escalate/": {
        "handoff_note": "Tried everything at this tier, over to the next.",
        "expected_tier": "L2",
    },
}
CASES = [
    pytest.param(method, path, role, expected, id=f"{method}-{path}-{role}")
    for (method, path), statuses in MATRIX.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def l2_ticket(alice, bob, gina, l1tech, l2tech, l3tech, manager, file_ticket):
    ticket = file_ticket(alice)
    # Moved by the sweep: L1 never worked on it (whoever moves it keeps reading it).
    return ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L2, reason="test")


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_permission_matrix(request, api, l2_ticket, method, path, role, expected):
    user = request.getfixturevalue(role) if role else None
    body = BODIES.get(path, {}) if method == "post" else {}
    if path.endswith("assign/"):
        body = {"assignee": user.pk if user else 1}
    target = path.format(t=f"/api/v1/tickets/{l2_ticket.pk}/").split("#")[0]
    response = getattr(api(user), method)(target, body)
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert {"code", "detail"} <= set(response.json())


def test_organisation_contact_sees_colleagues_tickets(api, alice, bob, file_ticket):
    ticket = file_ticket(alice)
    bob.is_organisation_contact = True
    bob.save()
    assert api(bob).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert [t["id"] for t in api(bob).get("/api/v1/tickets/").json()["results"]] == [ticket.pk]
