"""Agreement or calendar changes recompute running clocks in the background, in batches."""

import json
from datetime import date

import pytest

from sla.models import Clock, ClockKind, Target
from sla.services.config import agreement_save, calendar_save
from sla.services.recompute import _RecomputeOnCommit, clocks_recompute
from sla.tasks import recompute_agreement_clocks
from sla.validation import TargetRow
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.services import ticket_acknowledge, ticket_change_status, ticket_create

from .conftest import berlin

pytestmark = pytest.mark.django_db


def l1_p3(agreement):
    return Target.objects.get(
        agreement=agreement, kind="response", tier="L1", priority="P3", vip=False
    )


def set_minutes(agreement, changes):
    """Save the agreement's table with `changes` ({Target: minutes}) through the service."""
    rows = [
        TargetRow(t.kind, t.tier, t.priority, t.vip, changes.get(t.pk, t.minutes))
        for t in Target.objects.filter(agreement=agreement)
    ]
    agreement_save(agreement=agreement, targets=rows)


def response(ticket):
    return Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE, tier="L1")


def test_target_change_recomputes_running_clocks_only(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    running = [ticket_create(requester=alice, subject=f"s{i}", description="d") for i in range(3)]
    answered = ticket_create(requester=alice, subject="done", description="d")
    ticket_acknowledge(ticket=answered, actor=l1tech, message="Looking into it.")
    met_due = response(answered).due_at
    set_minutes(standard, {l1_p3(standard).pk: 120})
    changed = clocks_recompute(agreement_ids=[standard.pk], batch_size=2)
    assert changed == 3  # three running response clocks; resolution targets did not change
    for ticket in running:
        assert response(ticket).due_at == berlin(2026, 3, 2, 12, 0)
        assert response(ticket).target_minutes == 120
        ticket.refresh_from_db()
        assert ticket.response_due_at == berlin(2026, 3, 2, 12, 0)
        assert ticket.response_warn_at == berlin(2026, 3, 2, 11, 36)
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CLOCK_RECOMPUTED)
        assert event.before == {"due_at": "2026-03-02T10:00:00+00:00"}
    assert response(answered).due_at == met_due
    assert clocks_recompute(agreement_ids=[standard.pk]) == 0  # idempotent


def test_closed_date_recompute_remeasures_pauses_from_the_ledger(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 17, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    at(berlin(2026, 3, 3, 9, 0))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    assert response(ticket).paused_seconds == 2 * 3600
    # Tuesday becomes a company holiday after the fact: the pause counted only Monday's hour.
    calendar_save(calendar=standard.calendar, closed_dates=[(date(2026, 3, 3), "")])
    recompute_agreement_clocks.apply(args=[[standard.pk]]).get()
    clock = response(ticket)
    assert clock.paused_seconds == 3600
    assert clock.due_at == berlin(2026, 3, 4, 9, 0)  # started 17:00 Monday + 60 min + 60 paused
    assert clock.pauses.get().business_seconds == 3600


def test_edits_queue_one_task_per_transaction_on_commit(
    alice, standard, at, django_capture_on_commit_callbacks
):
    at(berlin(2026, 3, 2, 10, 0))
    ticket_create(requester=alice, subject="s", description="d")
    with django_capture_on_commit_callbacks() as callbacks:
        for target in Target.objects.filter(agreement=standard, kind="response")[:5]:
            set_minutes(standard, {target.pk: target.minutes + 1})
        calendar_save(calendar=standard.calendar)
    jobs = [c for c in callbacks if isinstance(c, _RecomputeOnCommit)]
    assert len(jobs) == 1 and jobs[0].agreement_ids == {standard.pk}
    standard.refresh_from_db()
    assert Clock.objects.filter(ticket__in=Ticket.objects.all()).count() == 2


def test_breached_clocks_are_left_alone(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")
    Clock.objects.filter(ticket=ticket).update(breached_at=berlin(2026, 3, 2, 11, 0))
    set_minutes(standard, {l1_p3(standard).pk: 5})
    assert clocks_recompute(agreement_ids=[standard.pk]) == 0


def test_commit_sends_the_recompute_task_to_the_broker(
    alice, standard, at, settings, django_capture_on_commit_callbacks
):
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    at(berlin(2026, 3, 2, 10, 0))
    ticket_create(requester=alice, subject="s", description="d")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            set_minutes(standard, {l1_p3(standard).pk: 90})
        messages = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    finally:
        broker.delete("celery")
    tasks = [m["headers"]["task"] for m in messages]
    assert tasks == ["sla.tasks.recompute_agreement_clocks"]
    assert messages[0]["headers"]["argsrepr"] == f"([{standard.pk}],)"
