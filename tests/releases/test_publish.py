"""Publishing a maintenance release: every customer at once, every fixed ticket resolved once."""

import threading

import pytest
from django.db import connection

from accounts.models import Organisation
from api.models import Webhook, WebhookDelivery
from desk.services.links import ticket_merge
from escalation.models import Notification, NotificationKind
from knowledge.models import ProblemStatus
from knowledge.services import problem_create, problem_link_tickets
from releases.models import Release, ReleaseFix, ReleaseReceipt
from releases.services import release_create, release_publish
from sla.models import Clock, ClockKind
from tests.factories import OrganisationFactory, UserFactory
from tickets.models import EventKind, Status, Ticket, TicketEvent, Watcher
from tickets.services import ticket_change_status, ticket_create


@pytest.fixture
def contacts(acme, globex):
    return [
        UserFactory(username="acme-contact", organisation=acme, is_organisation_contact=True),
        UserFactory(
            username="globex-contact",
            organisation=globex,
            is_organisation_contact=True,
            language="de",
        ),
    ]


@pytest.fixture
def fixed_world(alice, gina, bob, l2tech, manager):
    via_problem = ticket_create(requester=alice, subject="Export crashes", description="x")
    other_org = ticket_create(requester=gina, subject="Export stürzt ab", description="x")
    direct = ticket_create(requester=alice, subject="Report totals wrong", description="x")
    untouched = ticket_create(requester=alice, subject="Printer", description="x")
    Watcher.objects.create(ticket=direct, user=bob)
    problem = problem_create(
        actor=l2tech, title="Export bug", description="crash", workaround="CSV"
    )
    problem_link_tickets(problem=problem, actor=l2tech, ids=[via_problem.pk, other_org.pk])
    release = release_create(
        actor=manager,
        version="2.4.1",
        title="Export fixes",
        notes="Fixes the **export** crash.",
        problems=[problem.pk],
        tickets=[direct.pk],
    )
    return {
        "release": release,
        "problem": problem,
        "fixed": [via_problem, other_org, direct],
        "untouched": untouched,
    }


def release_notices():
    return Notification.objects.filter(kind=NotificationKind.RELEASE)


def test_fixed_tickets_resolve_on_publish_and_not_before(fixed_world, manager, contacts, bob):
    release, fixed = fixed_world["release"], fixed_world["fixed"]
    assert all(t.status == Status.NEW for t in Ticket.objects.filter(pk__in=[t.pk for t in fixed]))
    assert not release_notices().exists()
    release_publish(release=release, actor=manager)
    for ticket in fixed:
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
        event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS).latest("id")
        assert event.after["status"] == Status.RESOLVED and event.actor == manager
        named = TicketEvent.objects.get(ticket=ticket, kind=EventKind.FIXED_IN_RELEASE)
        assert named.after == {"release": release.pk, "version": "2.4.1"} and not named.internal
        resolution = Clock.objects.get(ticket=ticket, kind=ClockKind.RESOLUTION)
        assert resolution.met_at is not None
    assert ReleaseFix.objects.filter(release=release).count() == 3
    fixed_world["untouched"].refresh_from_db()
    assert fixed_world["untouched"].status == Status.NEW
    fixed_world["problem"].refresh_from_db()
    assert fixed_world["problem"].status == ProblemStatus.FIXED
    told = Notification.objects.filter(kind=NotificationKind.RELEASE_FIXED)
    assert {(n.recipient.username, n.ticket_id) for n in told} == {
        ("alice", fixed[0].pk),
        ("gina", fixed[1].pk),
        ("alice", fixed[2].pk),
        ("bob", fixed[2].pk),
    }
    assert all("2.4.1" in n.subject for n in told)
    german = told.get(recipient__username="gina")
    assert "Behoben in Release 2.4.1" in german.subject


def test_one_mail_per_person_for_a_ticket_the_release_resolves(alice, bob, l1tech, manager):
    """The "fixed in release" notice is the resolution notice: no second, plain one."""
    original = ticket_create(requester=alice, subject="Export crashes", description="x")
    duplicate = ticket_create(requester=bob, subject="Export broken", description="x")
    Watcher.objects.create(
        ticket=original, user=UserFactory(username="carol", organisation=alice.organisation)
    )
    ticket_merge(duplicate=duplicate, original=original, actor=l1tech)  # bob now follows it
    release = release_create(actor=manager, version="3.0", title="Fix", tickets=[original.pk])
    Notification.objects.all().delete()
    release_publish(release=release, actor=manager)
    told = Notification.objects.filter(ticket=original)
    assert sorted(told.values_list("recipient__username", "kind")) == [
        ("alice", NotificationKind.RELEASE_FIXED),
        ("bob", NotificationKind.RELEASE_FIXED),
        ("carol", NotificationKind.RELEASE_FIXED),
    ]


def test_every_organisation_gets_it_at_once_and_each_contact_is_told_once(
    fixed_world, manager, contacts, alice, acme
):
    release = fixed_world["release"]
    lonely = OrganisationFactory(name="No contacts Ltd")
    release_publish(release=release, actor=manager)
    receipts = ReleaseReceipt.objects.filter(release=release)
    assert receipts.count() == Organisation.objects.count()
    assert len({r.published_at for r in receipts}) == 1
    assert receipts.get(organisation=lonely).notified == 0
    assert receipts.get(organisation=acme).notified == 1
    assert sorted(release_notices().values_list("recipient__username", flat=True)) == [
        "acme-contact",
        "globex-contact",
    ]
    assert all(n.ticket_id is None for n in release_notices())
    german = release_notices().get(recipient__username="globex-contact")
    assert german.subject.startswith("Wartungsrelease 2.4.1")


def test_publishing_twice_is_a_409_and_tells_nobody_twice(fixed_world, manager, contacts):
    from common.errors import Conflict

    release = fixed_world["release"]
    release_publish(release=release, actor=manager)
    before = (Notification.objects.count(), TicketEvent.objects.count())
    with pytest.raises(Conflict):
        release_publish(release=release, actor=manager)
    assert (Notification.objects.count(), TicketEvent.objects.count()) == before


def test_only_managers_publish(fixed_world, l2tech):
    from common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        release_publish(release=fixed_world["release"], actor=l2tech)
    assert Release.objects.get().status == "draft"


def test_customer_can_reopen_a_ticket_the_release_resolved(fixed_world, manager, alice):
    release_publish(release=fixed_world["release"], actor=manager)
    ticket = fixed_world["fixed"][0]
    ticket_change_status(ticket=ticket, actor=alice, status=Status.OPEN)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_webhooks_announce_the_release_and_the_fixed_problem(fixed_world, manager):
    Webhook.objects.create(
        url="https://hooks.example.com/x", events=["release.published", "problem.fixed"]
    )
    release_publish(release=fixed_world["release"], actor=manager)
    deliveries = {d.event: d.payload for d in WebhookDelivery.objects.all()}
    assert deliveries["release.published"]["release"]["version"] == "2.4.1"
    assert deliveries["release.published"]["resolved_tickets"] == 3
    assert deliveries["problem.fixed"]["problem"]["id"] == fixed_world["problem"].pk


@pytest.mark.django_db(transaction=True)
def test_two_managers_publishing_at_once_publish_and_tell_once(acme, alice):
    from common.errors import Conflict
    from tests.factories import ManagerFactory

    first, second = ManagerFactory(username="m1"), ManagerFactory(username="m2")
    UserFactory(username="contact", organisation=acme, is_organisation_contact=True)
    ticket = ticket_create(requester=alice, subject="Broken", description="x")
    release = release_create(actor=first, version="9.9", title="Fix", tickets=[ticket.pk])
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(manager):
        try:
            barrier.wait()
            release_publish(release=release, actor=manager)
            outcomes.append("published")
        except Conflict:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["409", "published"]
    assert release_notices().count() == 1
    assert Notification.objects.filter(kind=NotificationKind.RELEASE_FIXED).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS).count() == 1


def test_bad_input_creates_nothing(manager, alice):
    from common.errors import ApplicationError

    for kwargs in (
        {"version": "", "title": "x"},
        {"version": "1", "title": "x", "problems": [999]},
        {"version": "1", "title": "x", "tickets": ["a"]},
        {"version": "1", "title": "x", "tickets": [999999]},
    ):
        with pytest.raises(ApplicationError):
            release_create(actor=manager, **kwargs)
    assert not Release.objects.exists()
    release_create(actor=manager, version="1", title="x")
    with pytest.raises(ApplicationError):
        release_create(actor=manager, version="1", title="again")
