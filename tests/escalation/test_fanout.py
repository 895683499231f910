"""Scale-out: batches handed to workers, run in parallel, each clock still acted on once."""

import re

import pytest
from django.utils import timezone

from accounts.models import Tier
from escalation import tasks
from escalation.models import Escalation
from escalation.services.sweep import escalation_sweep, escalation_sweep_batch
from sla.models import Clock, ClockKind

from .overdue import overdue_tickets
from .test_exactly_once import assert_each_escalated_once, run_in_threads
from .worker import Worker, flush_broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

BATCH_DONE = re.compile(r"Task escalation\.sweep_batch\[[^\]]+\] succeeded in")


def due_l1_clock_ids():
    clocks = Clock.objects.filter(kind=ClockKind.RESPONSE, tier=Tier.L1, breached_at__isnull=True)
    return list(clocks.order_by("due_at", "id").values_list("id", flat=True))


@pytest.fixture
def worker(tmp_path):
    flush_broker()
    started = Worker(tmp_path).start()
    yield started
    started.stop()


@pytest.mark.celery
@pytest.mark.postgres
def test_sweep_hands_a_backlog_of_three_batches_to_workers_each_clock_once(
    alice, agreement, staff, settings, worker
):
    tickets = overdue_tickets(alice, 6)
    settings.TIERDESK_ESCALATION_FANOUT_BATCHES = 5
    result = escalation_sweep(batch_size=2)
    # The first batch ran in the sweep; the two behind it went to the worker.
    assert result.dispatched == 2
    assert (result.breaches, result.escalations, result.fallbacks) == (2, 2, 0)
    # The clocks with the worker are overdue: the warning pass must not warn them meanwhile.
    assert result.warnings == 0
    # Count only the batch tasks' own "succeeded" lines: the worker's banner names the task
    # too, and the notification tasks the batches queue succeed on the same worker.
    try:
        wait_until(
            lambda: len(BATCH_DONE.findall(worker.output())) >= 2,
            timeout=15,
            message="the worker running both batches",
        )
    except AssertionError:
        print(worker.output())
        raise
    assert_each_escalated_once(tickets)
    # Nothing left for the next sweep.
    again = escalation_sweep(batch_size=2)
    assert (again.breaches, again.escalations, again.dispatched) == (0, 0, 0)


@pytest.mark.postgres
def test_fan_out_limit_caps_the_batches_handed_out(alice, agreement, staff, settings):
    overdue_tickets(alice, 8)
    settings.TIERDESK_ESCALATION_FANOUT_BATCHES = 1
    flush_broker()
    result = escalation_sweep(batch_size=2)
    # Four batches: the first and the two past the limit here, one handed out.
    assert result.dispatched == 1
    assert result.breaches == result.escalations == 6
    assert result.warnings == 0
    assert Escalation.objects.count() == 6
    # The handed-out batch, run as the worker would, takes the rest.
    left = due_l1_clock_ids()
    assert len(left) == 2
    done = tasks.sweep_batch.apply(args=(left, True, timezone.now().isoformat())).get()
    assert (done["breaches"], done["escalations"]) == (2, 2)
    assert Escalation.objects.count() == 8


def test_without_celery_queueing_every_batch_runs_inline(alice, agreement, staff, settings):
    tickets = overdue_tickets(alice, 6)
    settings.TIERDESK_ESCALATION_FANOUT_BATCHES = 5
    result = escalation_sweep(batch_size=2, queue=False)
    assert result.dispatched == 0
    assert result.breaches == result.escalations == 6
    assert Escalation.objects.count() == len(tickets)


def test_a_batch_task_delivered_twice_acts_once(alice, agreement, staff):
    tickets = overdue_tickets(alice, 3)
    ids = due_l1_clock_ids()
    now = timezone.now().isoformat()
    first = tasks.sweep_batch.apply(args=(ids, True, now)).get()
    again = tasks.sweep_batch.apply(args=(ids, True, now)).get()
    assert (first["breaches"], first["escalations"], first["fallbacks"]) == (3, 3, 0)
    assert (again["breaches"], again["escalations"], again["errors"]) == (0, 0, 0)
    assert_each_escalated_once(tickets)


@pytest.mark.postgres
def test_two_workers_on_the_same_batches_escalate_each_clock_once(alice, agreement, staff):
    tickets = overdue_tickets(alice, 30)
    ids = due_l1_clock_ids()
    batches = [ids[i : i + 4] for i in range(0, len(ids), 4)]
    now = timezone.now()

    def drain():
        return [escalation_sweep_batch(clock_ids=b, breach=True, now=now) for b in batches]

    runs = [run for results in run_in_threads(drain) for run in results]
    assert sum(r.breaches for r in runs) == len(tickets)
    assert sum(r.escalations for r in runs) == len(tickets)
    assert sum(r.errors + r.fallbacks for r in runs) == 0
    assert_each_escalated_once(tickets)
