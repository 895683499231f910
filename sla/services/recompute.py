"""Recompute deadlines after an agreement's targets or a calendar changed.

Edits arrive through sla.services.config (admin and API): it saves the parent
row (so every process's cache key changes), then queues one Celery task per
transaction on commit. The task calls `clocks_recompute`, which walks the affected tickets
in batches, each batch one transaction holding the tickets' row locks (the
same lock the ticket services take), so a concurrent pause or reply is never
overwritten with stale values.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.bulk import pending_on_commit, update_in_bulk
from tickets import events
from tickets.models import Ticket

from .. import events as clock_events
from .. import policies
from ..models import OWED, Agreement, Clock, ClockPause
from .clocks import save_clocks
from .deadlines import deadlines
from .sync import tickets_sync_sla

logger = logging.getLogger(__name__)

OPEN = OWED & Q(breached_at__isnull=True)  # owed and not yet breached: deadlines can move


class _RecomputeOnCommit:
    """One on-commit job per transaction, collecting every agreement touched in it."""

    def __init__(self) -> None:
        self.agreement_ids: set[int] = set()

    def __call__(self) -> None:
        from ..tasks import recompute_agreement_clocks

        ids = sorted(self.agreement_ids)
        if Clock.objects.filter(OPEN, agreement_id__in=ids).exists():
            recompute_agreement_clocks.delay(ids)


def queue_recompute(*, agreement_ids: Iterable[int]) -> None:
    ids = set(agreement_ids)
    for agreement_id in ids:
        policies.forget(agreement_id=agreement_id)
    if not ids:
        return
    pending = pending_on_commit(_RecomputeOnCommit)
    if pending is not None:
        pending.agreement_ids |= ids
        return
    job = _RecomputeOnCommit()
    job.agreement_ids |= ids
    # robust: a broker hiccup after commit is logged, not turned into a failed request.
    transaction.on_commit(job, robust=True)


def calendar_changed(*, calendar_id: int) -> None:
    """A calendar changed (and was saved): recompute every agreement on it."""
    policies.forget(calendar_id=calendar_id)
    ids = Agreement.objects.filter(calendar_id=calendar_id).values_list("pk", flat=True)
    queue_recompute(agreement_ids=list(ids))


def clocks_recompute(*, agreement_ids: Iterable[int], batch_size: int = 500) -> int:
    """Recompute open, unbreached clocks of these agreements; returns the clocks changed.

    Deadlines are rebuilt from each clock's start with the current targets and
    calendar; paused time is re-measured from the pause ledger with the
    current calendar, so a new holiday inside an old pause counts correctly.
    """
    ids = sorted(set(agreement_ids))
    for agreement_id in ids:
        policies.forget(agreement_id=agreement_id)
    affected = (
        Clock.objects.filter(OPEN, agreement_id__in=ids)
        .values_list("ticket_id", flat=True)
        .distinct()
        .order_by("ticket_id")
    )
    changed_total = 0
    last = 0
    while True:
        batch = list(affected.filter(ticket_id__gt=last)[:batch_size])
        if not batch:
            return changed_total
        last = batch[-1]
        with transaction.atomic():
            changed_total += _recompute_batch(ticket_ids=batch, agreement_ids=set(ids))


def _recompute_batch(*, ticket_ids: list[int], agreement_ids: set[int]) -> int:
    tickets = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=ticket_ids)
        .order_by("pk")
        .only("id", "tier", "priority", "is_vip")
    }
    clocks = list(
        Clock.objects.filter(ticket_id__in=ticket_ids).select_related("agreement__calendar")
    )
    pauses: dict[int, list[ClockPause]] = defaultdict(list)
    for pause in ClockPause.objects.filter(
        clock__in=[c for c in clocks if c.agreement_id in agreement_ids], ended_at__isnull=False
    ):
        pauses[pause.clock_id].append(pause)
    now = timezone.now()
    changed: list[Clock] = []
    changed_pauses: list[ClockPause] = []
    new_events = []
    for clock in clocks:
        ticket = tickets.get(clock.ticket_id)
        if ticket is None or clock.agreement is None or clock.agreement_id not in agreement_ids:
            continue
        if clock.met_at or clock.stopped_at or clock.breached_at:
            continue
        policy = policies.policy_for(clock.agreement)
        minutes = policy.minutes(
            kind=clock.kind, tier=clock.tier, priority=ticket.priority, vip=ticket.is_vip
        )
        if minutes is None:
            continue
        paused_seconds = 0.0
        for pause in pauses.get(clock.pk, []):
            assert pause.ended_at is not None
            seconds = policy.calendar.business_seconds_between(pause.started_at, pause.ended_at)
            if seconds != pause.business_seconds:
                pause.business_seconds = seconds
                changed_pauses.append(pause)
            paused_seconds += seconds
        due, warn = deadlines(
            policy, started_at=clock.started_at, minutes=minutes, paused_seconds=paused_seconds
        )
        if (due, warn, minutes) == (clock.due_at, clock.warn_at, clock.target_minutes):
            continue
        previous = clock.due_at
        clock.due_at, clock.warn_at = due, warn
        clock.target_minutes, clock.paused_seconds = minutes, paused_seconds
        changed.append(clock)
        new_events.append(
            clock_events.recomputed(
                clock,
                ticket=tickets[clock.ticket_id],
                previous_due_at=previous,
                reason="agreement or calendar changed",
                created_at=now,
            )
        )
    if not changed:
        return 0
    # Written as every clock service writes them (the tickets are locked, so the clocks'
    # other columns as read are current).
    save_clocks(changed)
    update_in_bulk(
        ClockPause,
        rows=[(p.pk, {"business_seconds": p.business_seconds}) for p in changed_pauses],
        columns=["business_seconds"],
    )
    events.insert(new_events)
    by_ticket: dict[int, list[Clock]] = defaultdict(list)
    for clock in clocks:
        by_ticket[clock.ticket_id].append(clock)
    touched = sorted({c.ticket_id for c in changed})
    tickets_sync_sla(tickets=[tickets[pk] for pk in touched], clocks=by_ticket)
    logger.info("recomputed %d clocks of %d tickets", len(changed), len(touched))
    return len(changed)
