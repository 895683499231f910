"""Digests through real Celery workers: one e-mail per person for a sweep that breached 100
tickets, and every outbox row sent exactly once when two workers race for the same rows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from escalation.models import Notification
from escalation.services.notify import queue_now
from escalation.tasks import sweep
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_create

from .overdue import overdue_tickets
from .worker import Worker, flush_broker, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def sent_mails(folder) -> list[dict]:
    """The messages the workers' file backend wrote: To, Subject, Message-ID of each."""
    out = []
    for path in sorted(folder.glob("*.log")):
        for message in path.read_text(errors="replace").split("-" * 79):
            headers = dict(re.findall(r"^(To|Subject|Message-ID): (.*)$", message, re.M))
            if headers:
                out.append(headers)
    return out


@pytest.fixture
def workers(tmp_path):
    flush_broker()
    started = []
    mails = tmp_path / "mails"
    mails.mkdir()

    def start(**env):
        env = {"TIERDESK_TEST_MAIL_DIR": str(mails)} | env
        worker = Worker(tmp_path, env=env).start()
        started.append(worker)
        return worker

    start.mails = mails
    yield start
    for worker in started:
        worker.stop()


def test_a_sweep_of_100_breaches_mails_each_technician_once_through_a_worker(
    alice, agreement, staff, workers
):
    overdue_tickets(alice, 100)
    Notification.objects.all().delete()  # the "new in your queue" notices of filing them
    # Ten sweep transactions, each queueing its rows; the digest window spans them all.
    worker = workers(TIERDESK_ESCALATION_BATCH_SIZE="10", TIERDESK_NOTIFY_DIGEST_SECONDS="5")
    sweep.delay()
    try:
        wait_until(
            lambda: Notification.objects.filter(cause_key__endswith=":breach").count() == 200,
            timeout=30,
            message="the sweep's outbox rows",
        )
        wait_until(
            lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
            timeout=30,
            message="the digests sent",
        )
    except AssertionError:
        print(worker.output())
        raise
    mails = sent_mails(workers.mails)
    assert sorted(m["To"] for m in mails) == ["l2tech@example.com", "manager@example.com"]
    assert all(m["Subject"].startswith("[Tierdesk] 100 notices: ") for m in mails)
    assert all(m["Message-ID"].startswith("<d") for m in mails)
    assert TicketEvent.objects.filter(kind=EventKind.NOTIFICATION).count() == 200


def test_two_workers_racing_for_the_same_rows_send_each_once(alice, bob, staff, workers):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="Tray 2.")
    Notification.objects.all().delete()
    now = timezone.now() - timedelta(seconds=5)
    people = [staff["l1"], staff["l2"], staff["manager"], alice, bob]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=person,
                kind="status",
                ticket=ticket,
                subject=f"[{ticket.reference}] Notice {n}",
                body=f"Notice {n}",
                cause_key=f"race:{n}",
                created_at=now,
                next_attempt_at=now,
                digest=person.is_support_staff,  # staff: a digest; customers: one each
            )
            for person in people
            for n in range(40)
        ]
    )
    ids = list(Notification.objects.values_list("pk", flat=True))
    first = workers(TIERDESK_NOTIFY_DIGEST_SECONDS="0")
    second = workers(TIERDESK_NOTIFY_DIGEST_SECONDS="0")
    # Every row handed out three times, in different chunks and orders: both workers race.
    queue_now(ids)
    queue_now(list(reversed(ids)))
    for pk in ids[::7]:
        queue_now([pk])
    try:
        wait_until(
            lambda: not Notification.objects.filter(sent_at__isnull=True).exists(),
            timeout=60,
            message="every row sent",
        )
        # Let the last redelivered chunks finish (they must find nothing to send).
        wait_until(
            lambda: (
                "send_notifications" in first.output() and "send_notifications" in second.output()
            ),
            timeout=20,
            message="both workers at work",
        )
    except AssertionError:
        print(first.output(), second.output())
        raise
    first.stop()
    second.stop()
    mails = sent_mails(workers.mails)
    to = [m["To"] for m in mails]
    for person in (staff["l1"], staff["l2"], staff["manager"]):
        assert to.count(person.email) == 1, person  # one digest of 40
    assert to.count(alice.email) == 40 and to.count(bob.email) == 40
    assert len({m["Message-ID"] for m in mails}) == len(mails)
    events = TicketEvent.objects.filter(kind=EventKind.NOTIFICATION)
    assert events.count() == len(ids)
    assert {e.after["notification"] for e in events} == set(ids)
