"""Exactly once under concurrency: racing sweeps, two beats, a broker that is down."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import Tier
from escalation import tasks
from escalation.models import Escalation, EscalationKind, Notification
from escalation.services.sweep import escalation_sweep
from helpdesk.celery import app as celery_app
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.services import ticket_reply

from .overdue import overdue_tickets

pytestmark = pytest.mark.django_db(transaction=True)

N = 30


def run_in_threads(target, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def assert_each_escalated_once(tickets):
    assert Escalation.objects.filter(kind=EscalationKind.BREACH).count() == len(tickets)
    assert set(Ticket.objects.values_list("tier", flat=True)) == {Tier.L2}
    l1_clocks = Clock.objects.filter(kind=ClockKind.RESPONSE, tier=Tier.L1)
    assert l1_clocks.filter(breached_at__isnull=False).count() == len(tickets)
    for ticket in tickets:
        tiers = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TIER)
        assert tiers.count() == 1
        assert (
            Clock.objects.filter(ticket=ticket, kind=ClockKind.RESPONSE, tier=Tier.L2).count() == 1
        )
    # l2tech (tier group) and the manager: one row each per breached clock.
    assert Notification.objects.filter(cause_key__contains=":breach").count() == 2 * len(tickets)


@pytest.mark.postgres
def test_two_sweeps_racing_without_the_lock_escalate_each_clock_once(alice, agreement, staff):
    tickets = overdue_tickets(alice, N)
    results = run_in_threads(lambda: escalation_sweep(use_lock=False, batch_size=4))
    assert sum(r.breaches for r in results) == N
    assert sum(r.escalations for r in results) == N
    assert sum(r.errors for r in results) == 0
    assert_each_escalated_once(tickets)


@pytest.mark.postgres
def test_two_beats_double_the_sweeps_not_the_escalations(alice, agreement, staff):
    tickets = overdue_tickets(alice, N)
    # Each "beat" fires the sweep task twice; a worker runs each message.
    results = run_in_threads(lambda: [tasks.sweep.apply().get() for _ in range(2)])
    runs = [run for pair in results for run in pair]
    assert len(runs) == 4
    assert sum(r["escalations"] for r in runs) == N
    assert_each_escalated_once(tickets)


def test_broker_down_loses_no_write_and_backlog_runs_once(alice, agreement, staff, l1tech):
    url = celery_app.conf.broker_url
    # Celery reads the namespaced CELERY_BROKER_URL before broker_url: set both.
    celery_app.conf.broker_url = celery_app.conf.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"
    celery_app.close()  # drop the pooled connections to the real broker
    celery_app.amqp._producer_pool = None
    try:
        tickets = overdue_tickets(alice, 5)
        reply = ticket_reply(ticket=tickets[0], author=alice, body="Still broken, please hurry.")
        assert reply.pk
        assert Ticket.objects.count() == 5
        # The L1 group heard of each new ticket and of the reply nobody holds: all unsent.
        backlog = Notification.objects.filter(sent_at__isnull=True).count()
        assert backlog == 6
        # A sweep while the broker is down still escalates (the database is all it needs).
        result = escalation_sweep()
        assert (result.breaches, result.escalations, result.requeued) == (5, 5, 0)
    finally:
        celery_app.conf.broker_url = celery_app.conf.CELERY_BROKER_URL = url
        celery_app.close()
        celery_app.amqp._producer_pool = None
    # The broker is back: a later sweep re-queues the whole backlog, once.
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        result = escalation_sweep()
        assert (result.breaches, result.escalations) == (0, 0)
        assert result.requeued == Notification.objects.filter(sent_at__isnull=True).count() == 16
        assert escalation_sweep().requeued == 0
    assert_each_escalated_once(tickets)
