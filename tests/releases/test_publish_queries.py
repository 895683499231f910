"""Publishing works per batch with a fixed number of queries, whatever the number of tickets."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from knowledge.models import ProblemTicket
from knowledge.services import problem_create
from releases import services
from releases.services import release_create, release_publish
from tests.factories import UserFactory
from tickets.models import Status, Ticket, Watcher
from tickets.services import ticket_create

BATCH = 4


def publish_queries(*, count, actor, requester, version):
    tickets = [
        ticket_create(requester=requester, subject=f"Crash {version} {n}", description="x")
        for n in range(count)
    ]
    for ticket in tickets[::2]:
        Watcher.objects.create(ticket=ticket, user=UserFactory(organisation=requester.organisation))
    problem = problem_create(actor=actor, title=f"Crash {version}", description="d")
    ProblemTicket.objects.bulk_create(
        [ProblemTicket(problem=problem, ticket=t, created_at=t.created_at) for t in tickets[1:]]
    )
    release = release_create(
        actor=actor, version=version, title="Fix", problems=[problem.pk], tickets=[tickets[0].pk]
    )
    with CaptureQueriesContext(connection) as queries:
        release_publish(release=release, actor=actor)
    ids = [t.pk for t in tickets]
    assert Ticket.objects.filter(pk__in=ids, status=Status.RESOLVED).count() == count
    return len(queries)


def test_publishing_costs_a_fixed_number_of_queries_per_batch(monkeypatch, manager, alice, acme):
    monkeypatch.setattr(services, "BATCH", BATCH)
    UserFactory(username="contact", organisation=acme, is_organisation_contact=True)
    two_batches = publish_queries(count=2 * BATCH, actor=manager, requester=alice, version="1")
    four_batches = publish_queries(count=4 * BATCH, actor=manager, requester=alice, version="2")
    # The release claim, contact notices, receipts, the fixed-ticket ids, problems and webhooks
    # cost 13 queries once; every batch (its tickets resolved set-based with clocks and events,
    # the release's own history entries, fixes and "fixed in" notices, the one mail per person)
    # costs 21 more (26 before each ticket row was written once per status change).
    assert two_batches == 13 + 2 * 21
    assert four_batches == 13 + 4 * 21
