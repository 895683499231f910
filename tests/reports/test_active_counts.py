"""The backlog and workload counts kept by the ticket table's triggers equal a raw count of
the tickets after every kind of change, on PostgreSQL and SQLite (make test-sqlite)."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Tier
from desk.services.links import ticket_merge
from escalation.services.bulk_actions import tickets_bulk_action
from escalation.services.manual import ticket_escalate
from escalation.services.sweep import escalation_sweep
from releases.services import release_create, release_publish
from reports.models import ActiveCount
from reports.selectors import dashboard_figures
from reports.services import rollups_rebuild, rollups_refresh
from tests.escalation.conftest import T0, agreement, default_rules  # noqa: F401 - fixtures
from tests.factories import TechnicianFactory, UserFactory
from tests.reports import reference
from tickets.models import Status, Ticket
from tickets.services import (
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
)

pytestmark = pytest.mark.django_db
HANDOFF = "Checked the logs and the proxy; the customer confirms every machine fails."


def assert_exact(manager, organisations, now=None):
    """The dashboard's backlog and workload equal the raw count, for all and each one."""
    now = now or timezone.now()
    for org in [None, *organisations]:
        org_id = org.pk if org else None
        day = timezone.localdate(now)
        figures = dashboard_figures(user=manager, start=day, end=day, organisation=org_id, now=now)
        tickets = Ticket.objects.filter(organisation_id=org_id) if org_id else Ticket.objects.all()
        assert figures["backlog_by_age"] == reference._backlog(tickets, now), (org, now)
        assert figures["workload"] == reference._workload(org_id), (org, now)


def file(requester, n, subject="Printer on fire"):
    return [
        ticket_create(requester=requester, subject=f"{subject} {i}", description="It burns.")
        for i in range(n)
    ]


@pytest.fixture
def desk(acme, globex, alice, gina, agreement, l1tech, l2tech, l3tech, manager):  # noqa: F811
    """Tickets of two organisations and of a customer without one, filed at T0."""
    loner = UserFactory(organisation=None)
    with time_machine.travel(T0, tick=False):
        tickets = file(alice, 8) + file(gina, 4) + file(loner, 2)
    return {"orgs": [acme, globex], "tickets": tickets, "loner": loner}


def test_counts_follow_every_writer(desk, manager, l1tech, l2tech, l3tech, alice):
    orgs, tickets = desk["orgs"], desk["tickets"]
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert_exact(manager, orgs)
        assert ActiveCount.objects.exists()
        # Assign (a new ticket opens), status changes in and out of the active ones,
        # priority (no counted column: no rows), a reopen.
        for ticket in tickets[:6]:
            ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
        ticket_change_status(ticket=tickets[1], actor=l1tech, status=Status.PENDING_CUSTOMER)
        ticket_change_status(ticket=tickets[2], actor=l1tech, status=Status.RESOLVED)
        ticket_change_status(ticket=tickets[3], actor=l1tech, status=Status.RESOLVED)
        ticket_change_status(ticket=tickets[3], actor=l1tech, status=Status.OPEN)
        before = ActiveCount.objects.count()
        ticket_change_priority(ticket=tickets[4], actor=l1tech, priority="P2")
        assert ActiveCount.objects.count() == before
        assert_exact(manager, orgs)
    with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
        # A manual escalation releases the L1 assignee; a merge closes the duplicate.
        ticket_escalate(ticket=tickets[0], actor=l1tech, handoff_note=HANDOFF)
        ticket_merge(duplicate=tickets[5], original=tickets[4], actor=l1tech)
        # Bulk actions: assign to L2 where allowed, then put some on hold.
        ids = [t.pk for t in tickets[8:12]]
        tickets_bulk_action(actor=manager, ids=ids, action="assign", data={"assignee": l2tech.pk})
        tickets_bulk_action(actor=manager, ids=ids[:2], action="status", data={"status": "on_hold"})
        assert_exact(manager, orgs)
        # A release resolves the tickets it fixes.
        release = release_create(
            actor=manager, version="2.1", title="Fix", tickets=[tickets[6].pk, tickets[12].pk]
        )
        release_publish(release=release, actor=manager)
        assert Ticket.objects.get(pk=tickets[12].pk).status == Status.RESOLVED
        assert_exact(manager, orgs)
    with time_machine.travel(T0 + timedelta(minutes=70), tick=False):
        # The sweep breaches the L1 response clocks and escalates them to L2.
        result = escalation_sweep(queue=False)
        assert result.breaches and result.escalations
        assert_exact(manager, orgs)
        rollups_refresh()  # folds the rows: the same figures from fewer rows
        assert_exact(manager, orgs)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        # Writers outside the services: a technician deleted (assignee SET NULL), a ticket
        # deleted, an organisation changed by a plain UPDATE, and one filed for L3.
        held = [t.pk for t in tickets[8:12]]
        Ticket.objects.filter(pk__in=held[2:]).update(assignee=l3tech, tier=Tier.L3)
        assert Ticket.objects.filter(assignee=l3tech).exists()
        l3tech.delete()
        Ticket.objects.get(pk=tickets[7].pk).delete()
        Ticket.objects.filter(pk=tickets[13].pk).update(organisation=orgs[0])
        assert_exact(manager, orgs)
        rollups_rebuild()  # the recount: the same rows the triggers kept
        assert_exact(manager, orgs)
    # The age buckets at and around their boundaries (an hour holding one is split by its
    # tickets), before and after the hours are folded into "long ago".
    for offset in (
        timedelta(days=1) - timedelta(minutes=1),
        timedelta(days=1),
        timedelta(days=1, minutes=1),
        timedelta(days=3, minutes=3),
        timedelta(days=7),
        timedelta(days=7, hours=1),
        timedelta(days=9),
    ):
        with time_machine.travel(T0 + offset, tick=False):
            escalation_sweep(queue=False)  # from a day on: resolution breaches, priority up
            assert_exact(manager, orgs)
            if offset > timedelta(days=8):
                rollups_refresh()
                assert (
                    ActiveCount.objects.filter(
                        kind=ActiveCount.Kind.BACKLOG, created_hour__isnull=False
                    ).count()
                    == 0
                )
                assert_exact(manager, orgs)
            if offset == timedelta(days=1, minutes=1):
                breached = Ticket.objects.filter(sla_breached=True, status__in=Status.active())
                ids = list(breached.values_list("pk", flat=True))
                fixer = TechnicianFactory(tier=Tier.L3)  # they are at L3 by now
                tickets_bulk_action(
                    actor=manager, ids=ids, action="assign", data={"assignee": fixer.pk}
                )
                assert breached.filter(assignee=fixer).exists()
                assert_exact(manager, orgs)
    figures = dashboard_figures(user=manager, start=T0.date(), end=T0.date())
    assert sum(row["age_over_7d"] for row in figures["backlog_by_age"]) > 5
    assert any(row["breached"] for row in figures["workload"])


def test_ticket_writes_issue_no_extra_statement(alice, l1tech):
    """The counts are written inside the tickets' own statements: the same queries whether
    the counts table is there to write or not (no statement of the application's names it)."""
    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_create(requester=alice, subject="Mail down", description="Since 9.")
        ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
        ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    assert not [q for q in queries.captured_queries if "reports_activecount" in q["sql"]]
    assert ActiveCount.objects.filter(assignee_id=l1tech.pk).exists()
    # Filed, worked and resolved: the rows of all organisations add up to nothing active.
    assert sum(ActiveCount.objects.filter(organisation_id=0).values_list("n", flat=True)) == 0


def test_many_tickets_at_once_and_the_fold(alice, l1tech, manager, acme):
    """A set-based write of many tickets adds a few rows, not one per ticket."""
    tickets = file(alice, 30, subject="Batch")
    rows = ActiveCount.objects.count()
    tickets_bulk_action(
        actor=manager, ids=[t.pk for t in tickets], action="assign", data={"assignee": l1tech.pk}
    )
    added = ActiveCount.objects.count() - rows
    assert 0 < added <= 8 if connection.vendor == "postgresql" else added > 0
    rollups_refresh()
    assert ActiveCount.objects.count() <= 6  # backlog (acme, all) + workload (acme, all) rows
    assert_exact(manager, [acme])
    TechnicianFactory(tier=Tier.L1)  # listed with nothing assigned
    assert_exact(manager, [acme])
