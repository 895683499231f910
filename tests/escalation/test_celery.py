"""Through a real Celery worker: beat-driven escalation, and a worker killed mid-batch."""

import pytest

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind, Notification
from escalation.schedule import ensure_sweep_schedule
from escalation.services.sweep import escalation_sweep
from escalation.tasks import sweep
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Ticket, TicketEvent

from .overdue import overdue_tickets
from .worker import Worker, flush_broker, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_factory(tmp_path):
    flush_broker()
    started = []

    def start(**kwargs):
        worker = Worker(tmp_path, **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_worker_and_beat_escalate_without_anyone_calling_the_service(
    alice, agreement, staff, worker_factory
):
    (ticket,) = overdue_tickets(alice, 1)  # L1 response deadline already passed
    ensure_sweep_schedule(interval_seconds=1)
    worker = worker_factory(beat=True)
    try:
        wait_until(
            lambda: Escalation.objects.filter(ticket=ticket).exists(),
            timeout=15,
            message="the beat-driven sweep",
        )
        # The worker also sends the outbox rows the escalation wrote (l2tech, manager).
        wait_until(
            lambda: (
                not Notification.objects.filter(
                    cause_key__endswith=":breach", sent_at__isnull=True
                ).exists()
            ),
            timeout=10,
            message="notifications sent",
        )
    except AssertionError:
        print(worker.output())
        raise
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    assert Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE, tier=Tier.L2).is_running
    assert Escalation.objects.filter(ticket=ticket).count() == 1
    assert Notification.objects.filter(cause_key__endswith=":breach").count() == 2
    assert "escalation.sweep" in worker.output()


def test_worker_killed_mid_batch_leaves_nothing_undone_or_doubled(
    alice, agreement, staff, worker_factory
):
    count = 120
    tickets = overdue_tickets(alice, count)
    # Filing them queued their "new in your queue" hand-offs; the worker would work through
    # those first (they stay in the outbox, unsent), so the sweep is the first task it takes.
    flush_broker()
    # Small batches (one transaction each), so the kill lands between two of them.
    worker = worker_factory(env={"TIERDESK_ESCALATION_BATCH_SIZE": "2"})
    sweep.delay()
    wait_until(lambda: Escalation.objects.count() >= 10, timeout=60, message="the sweep under way")
    worker.kill()  # SIGKILL, in the middle of the batch
    done = Escalation.objects.count()
    assert 0 < done < count, "the kill should land mid-sweep"

    # The next sweep (PostgreSQL released the dead worker's advisory lock) finishes the rest.
    result = wait_until(
        lambda: (r := escalation_sweep()) and not r.skipped and r, timeout=10, message="lock"
    )
    assert result.breaches == result.escalations == count - done
    assert Escalation.objects.filter(kind=EscalationKind.BREACH).count() == count
    assert set(Ticket.objects.values_list("tier", flat=True)) == {Tier.L2}
    for ticket in tickets:
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TIER).count() == 1
        assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_BREACHED).count() == 1
