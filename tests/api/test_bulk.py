"""POST /api/v1/tickets/bulk/: one action on many tickets, each ticket handled once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind, Notification, NotificationKind
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Reply, Status, Ticket, TicketEvent
from tickets.services import ticket_change_status, ticket_move_tier

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/bulk/"
HANDOFF = "Checked the VPN logs, restarted the client twice; customer still cannot connect."


def tickets(file_ticket, requester, n):
    return [file_ticket(requester, subject=f"VPN {i}") for i in range(n)]


def post(client, **body):
    return client.post(URL, body, format="json")


def results(response):
    assert response.status_code == 200, response.content
    return {r["id"]: r for r in response.json()["results"]}


def test_status_for_many_each_ticket_once_others_reported(api, alice, l1tech, file_ticket):
    mine = tickets(file_ticket, alice, 3)
    above = file_ticket(alice, subject="Moved up")
    ticket_move_tier(ticket=above, actor=None, tier=Tier.L2, reason="test")
    closed = file_ticket(alice, subject="Done")
    ticket_change_status(ticket=closed, actor=l1tech, status=Status.CLOSED)
    ids = [t.pk for t in mine] + [above.pk, closed.pk, 999_999]
    response = post(api(l1tech), ids=ids, action="status", status=Status.PENDING_CUSTOMER)
    answer = response.json()["results"]
    assert [r["id"] for r in answer] == ids  # one entry per id, in order
    by_id = results(response)
    assert all(by_id[t.pk] == {"id": t.pk, "ok": True} for t in mine)
    # An L2 ticket is not an L1 technician's to see: like a 404.
    assert by_id[above.pk]["code"] == by_id[999_999]["code"] == "not_found"
    assert by_id[closed.pk]["code"] == "invalid_transition" and by_id[closed.pk]["detail"]
    for ticket in mine:
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING_CUSTOMER and ticket.sla_paused
        statuses = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS)
        assert statuses.count() == 1
        paused = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_PAUSED)
        assert paused.count() == 2  # response and resolution, once each
        told = Notification.objects.filter(ticket=ticket, kind=NotificationKind.STATUS)
        assert list(told.values_list("recipient__username", flat=True)) == ["alice"]
    above.refresh_from_db()
    closed.refresh_from_db()
    assert (above.status, closed.status) == (Status.NEW, Status.CLOSED)


def test_all_or_nothing_changes_nothing_when_one_is_refused(api, alice, l1tech, file_ticket):
    fine = tickets(file_ticket, alice, 2)
    closed = file_ticket(alice, subject="Done")
    ticket_change_status(ticket=closed, actor=l1tech, status=Status.CLOSED)
    response = post(
        api(l1tech),
        ids=[t.pk for t in fine] + [closed.pk],
        action="status",
        status=Status.ON_HOLD,
        all_or_nothing=True,
    )
    by_id = results(response)
    assert {by_id[t.pk]["code"] for t in fine} == {"not_applied"}
    assert by_id[closed.pk]["code"] == "invalid_transition"
    assert set(
        Ticket.objects.filter(pk__in=[t.pk for t in fine]).values_list("status", flat=True)
    ) == {Status.NEW}
    assert not TicketEvent.objects.filter(
        kind=EventKind.STATUS, after__status=Status.ON_HOLD
    ).exists()


def test_assign_to_me_and_release(api, alice, l1tech, file_ticket):
    batch = tickets(file_ticket, alice, 3)
    ids = [t.pk for t in batch]
    assert all(
        r["ok"]
        for r in results(post(api(l1tech), ids=ids, action="assign", assignee=l1tech.pk)).values()
    )
    for ticket in batch:
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.status) == (l1tech, Status.OPEN)  # new ones open
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNEE).count() == 1
    released = results(post(api(l1tech), ids=ids, action="assign", assignee=None))
    assert all(r["ok"] for r in released.values())
    assert not Ticket.objects.filter(pk__in=ids, assignee__isnull=False).exists()
    unknown = post(api(l1tech), ids=ids, action="assign", assignee=987_654)
    assert unknown.status_code == 400 and unknown.json()["fields"]["assignee"]


def test_one_internal_note_on_every_ticket_never_reaches_customers(api, alice, l1tech, file_ticket):
    batch = tickets(file_ticket, alice, 3)
    before = Notification.objects.count()
    by_id = results(
        post(api(l1tech), ids=[t.pk for t in batch], action="note", body="Known outage.")
    )
    assert all(r["ok"] for r in by_id.values())
    for ticket in batch:
        note = Reply.objects.get(ticket=ticket)
        assert note.internal and note.body == "Known outage." and note.author == l1tech
    assert Notification.objects.count() == before  # notes notify nobody
    customer_view = api(alice).get(f"/api/v1/tickets/{batch[0].pk}/replies/").json()
    assert customer_view["results"] == []


def test_escalate_with_one_handoff_note_and_send_back_down(api, alice, l1tech, l2tech, file_ticket):
    batch = tickets(file_ticket, alice, 3)
    ids = [t.pk for t in batch]
    short = post(api(l1tech), ids=ids, action="escalate", handoff_note="tried")
    assert short.status_code == 400 and "handoff_note" in short.json()["fields"]
    assert not Escalation.objects.exists()
    by_id = results(post(api(l1tech), ids=ids, action="escalate", handoff_note=HANDOFF))
    assert all(r["ok"] for r in by_id.values())
    for ticket in batch:
        ticket.refresh_from_db()
        assert ticket.tier == Tier.L2
        record = Escalation.objects.get(ticket=ticket)
        assert (record.kind, record.note, record.actor) == (EscalationKind.MANUAL, HANDOFF, l1tech)
        l2 = Clock.objects.filter(ticket=ticket, kind=ClockKind.RESPONSE, tier=Tier.L2)
        assert l2.count() == 1 and ticket.response_due_at == l2.get().due_at
    queue_notices = Notification.objects.filter(
        kind=NotificationKind.NEW_IN_QUEUE, recipient=l2tech
    )
    assert queue_notices.filter(ticket_id__in=ids).count() == 3
    down = results(
        post(
            api(l2tech),
            ids=ids,
            action="deescalate",
            tier=Tier.L1,
            reason="Needs a site visit first.",
        )
    )
    assert all(r["ok"] for r in down.values())
    assert set(Ticket.objects.filter(pk__in=ids).values_list("tier", flat=True)) == {Tier.L1}
    assert Escalation.objects.filter(kind=EscalationKind.DEESCALATION).count() == 3
    top = results(
        post(api(l1tech), ids=ids, action="deescalate", tier=Tier.L2, reason="Wrong way round.")
    )
    assert {r["code"] for r in top.values()} == {"not_allowed"}


def test_bad_requests_are_4xx_and_change_nothing(api, alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    client = api(l1tech)
    assert post(client, ids=[ticket.pk], action="explode").status_code == 400
    assert post(client, ids=[], action="status", status="open").status_code == 400
    assert post(client, ids=list(range(1, 502)), action="status", status="open").status_code == 400
    assert post(client, ids=["x"], action="status", status="open").status_code == 400
    assert post(client, ids=[ticket.pk], action="status", status="nonsense").status_code == 400
    assert post(client, ids=[ticket.pk], action="priority", priority="P9").status_code == 400
    assert post(api(alice), ids=[ticket.pk], action="status", status="closed").status_code == 403
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == (Status.NEW, "P3")


def test_the_queries_of_a_bulk_action_do_not_grow_with_the_tickets(api, alice, l1tech, file_ticket):
    client = api(l1tech)
    counts = {}
    for n in (5, 50):
        ids = [t.pk for t in tickets(file_ticket, alice, n)]
        for action, fields in (
            ("status", {"status": Status.PENDING_CUSTOMER}),
            ("priority", {"priority": "P2"}),
            ("assign", {"assignee": l1tech.pk}),
            ("note", {"body": "Known outage."}),
            ("escalate", {"handoff_note": HANDOFF}),
        ):
            with CaptureQueriesContext(connection) as captured:
                by_id = results(post(client, ids=ids, action=action, **fields))
            assert all(r["ok"] for r in by_id.values()), (action, by_id)
            counts[(action, n)] = len(captured)
    for action in ("status", "priority", "assign", "note", "escalate"):
        assert counts[(action, 50)] <= counts[(action, 5)], (action, counts)
