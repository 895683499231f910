"""The sweep: find clocks past their warning point or deadline and act on each once.

Exactly once, whatever crashes, comes from the database, not from timing:

- one sweep at a time per database (a session advisory lock on PostgreSQL; a
  second beat or worker skips instead of queueing up behind it);
- due clocks are read through the partial indexes `clock_running_warn` /
  `clock_running_due` (running clocks only), so an idle sweep over a million
  open tickets is one index probe; batches are read FOR UPDATE SKIP LOCKED so
  a clock being processed elsewhere is passed over;
- each batch is processed set-based in one short transaction (services.batch):
  its tickets locked first (SKIP LOCKED on PostgreSQL; a ticket busy elsewhere
  waits for the next sweep), its clocks claimed by one conditional
  UPDATE … RETURNING, and everything the rules do written in bulk; a reply that
  met a clock first wins, a killed worker rolls the whole batch back and the
  next sweep does it again, and the unique constraints on Escalation(clock,
  kind) and Notification(recipient, cause_key) stop any duplicate;
- if a batch raises, it is rolled back, split in halves and each half retried through
  the same batch service, down to a single clock (bisection), so one poisoned clock
  never holds up the others: it alone stays due, for the next sweep.

Scale-out: batches are independent (each takes its own locks and claims), so when the
backlog is more than one batch the sweep may hand the following ones, up to
TIERDESK_ESCALATION_FANOUT_BATCHES, to Celery workers (task `escalation.sweep_batch`,
same batch service, same bisection) instead of running them itself. A batch handed out
and read again by the next sweep before a worker got to it is harmless: whoever claims
its clocks first acts, the other finds nothing due. On SQLite (one writer) batches
always run inline.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sla.models import Clock

from .batch import process_batch
from .notify import notifications_requeue
from .rules import Audience, active_rules

log = logging.getLogger(__name__)

# pg_try_advisory_lock key: any constant shared by every process of this database.
SWEEP_LOCK_KEY = 0x7469657264657363  # "tierdesc"


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    notifications: int = 0
    requeued: int = 0
    errors: int = 0
    fallbacks: int = 0  # batches of several clocks that failed and were split in halves
    dispatched: int = 0  # batches handed to workers (counted by them, not here)
    skipped: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    def add(self, *, breach: bool, marked: int, escalations: int, notifications: int) -> None:
        """Count what one clock or one batch did."""
        if breach:
            self.breaches += marked
        else:
            self.warnings += marked
        self.escalations += escalations
        self.notifications += notifications


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def sweep_lock() -> Iterator[bool]:
    """Yield True if this process may sweep now; on SQLite always (one writer anyway)."""
    if not _is_postgres():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            # Session-level: released here, or by PostgreSQL if the process dies.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK_KEY])


def _due_batch(
    *,
    field: str,
    now: datetime,
    after: tuple[datetime, int] | None,
    size: int,
    skip_overdue: bool = False,
) -> list[tuple[int, datetime]]:
    """The next `size` due clocks in (instant, id) order, skipping rows locked elsewhere."""
    clocks = Clock.objects.warnable() if field == "warn_at" else Clock.objects.running()
    clocks = clocks.filter(**{f"{field}__lte": now})
    if field == "warn_at" and skip_overdue:
        # Their breach batch is with a worker: no stale warning before it.
        clocks = clocks.filter(due_at__gt=now)
    if after is not None:
        # Keyset paging, so a clock that could not be claimed is not read again.
        instant, last_id = after
        clocks = clocks.filter(**{f"{field}__gte": instant}).filter(
            Q(**{f"{field}__gt": instant}) | Q(id__gt=last_id)
        )
    clocks = clocks.order_by(field, "id")
    with transaction.atomic():
        if _is_postgres():
            clocks = clocks.select_for_update(skip_locked=True)
        return list(clocks.values_list("id", field)[:size])


def escalation_sweep(
    *,
    now: datetime | None = None,
    use_lock: bool = True,
    batch_size: int | None = None,
    queue: bool = True,
) -> SweepResult:
    """One pass: breaches first (an overdue clock skips its stale warning), then warnings.

    `use_lock=False` lets tests race two sweeps over the same clocks; `queue=False`
    writes outbox rows without handing them to Celery (benchmarks).
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.TIERDESK_ESCALATION_BATCH_SIZE
    result = SweepResult()
    lock = sweep_lock() if use_lock else contextlib.nullcontext(True)
    with lock as acquired:
        if not acquired:
            result.skipped = True
            return result
        rules = active_rules()
        audience = Audience()
        fanout = _fanout_limit(queue=queue)
        for breach, field in ((True, "due_at"), (False, "warn_at")):
            after = None
            first = True
            while batch := _due_batch(
                field=field,
                now=now,
                after=after,
                size=batch_size,
                skip_overdue=result.dispatched > 0,
            ):
                after = (batch[-1][1], batch[-1][0])
                ids = [clock_id for clock_id, _instant in batch]
                # The first batch always runs here: only a backlog beyond it is handed out.
                if not first and result.dispatched < fanout:
                    _dispatch(clock_ids=ids, breach=breach, now=now)
                    result.dispatched += 1
                    continue
                first = False
                _run_batch(
                    clock_ids=ids,
                    breach=breach,
                    now=now,
                    rules=rules,
                    audience=audience,
                    result=result,
                    queue=queue,
                )
        if queue:
            result.requeued = notifications_requeue(now=now)
    return result


def escalation_sweep_batch(
    *,
    clock_ids: list[int],
    breach: bool,
    now: datetime,
    queue: bool = True,
    rules: list | None = None,
    audience: Audience | None = None,
) -> SweepResult:
    """One batch of due clocks exactly as the sweep runs it (split in halves if it fails),
    for a worker the sweep handed it to or a benchmark process. Safe to run
    in parallel with the sweep and other batches: the ticket locks and clock claims
    decide who acts on a clock; clocks no longer due are left alone."""
    result = SweepResult()
    _run_batch(
        clock_ids=clock_ids,
        breach=breach,
        now=now,
        rules=active_rules() if rules is None else rules,
        audience=audience or Audience(),
        result=result,
        queue=queue,
    )
    return result


def _fanout_limit(*, queue: bool) -> int:
    """How many batches this sweep may hand to workers (none on SQLite or without Celery)."""
    if not (queue and _is_postgres()):
        return 0
    return max(settings.TIERDESK_ESCALATION_FANOUT_BATCHES, 0)


def _dispatch(*, clock_ids: list[int], breach: bool, now: datetime) -> None:
    from ..tasks import sweep_batch  # tasks import this module

    sweep_batch.delay(clock_ids, breach, now.isoformat())


def _run_batch(
    *,
    clock_ids: list[int],
    breach: bool,
    now: datetime,
    rules: list,
    audience: Audience,
    result: SweepResult,
    queue: bool,
) -> None:
    """Process a batch set-based; if it fails, bisect: each half again through the same
    service, down to the single clock that fails, which stays due for the next sweep."""
    if _process_batch(
        clock_ids=clock_ids,
        breach=breach,
        now=now,
        rules=rules,
        audience=audience,
        result=result,
        queue=queue,
    ):
        return
    if len(clock_ids) == 1:
        result.errors += 1
        return
    result.fallbacks += 1
    half = len(clock_ids) // 2
    for part in (clock_ids[:half], clock_ids[half:]):
        _run_batch(
            clock_ids=part,
            breach=breach,
            now=now,
            rules=rules,
            audience=audience,
            result=result,
            queue=queue,
        )


def _fast_commit() -> None:
    if _is_postgres():
        # Losing the last few commits in a database crash is harmless here: the
        # claim is lost with its effects and the next sweep does both again.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _process_batch(
    *,
    clock_ids: list[int],
    breach: bool,
    now: datetime,
    rules: list,
    audience: Audience,
    result: SweepResult,
    queue: bool,
) -> bool:
    """One transaction for the batch; False if it failed (and was rolled back)."""
    try:
        with transaction.atomic():
            _fast_commit()
            counts = process_batch(
                clock_ids=clock_ids,
                breach=breach,
                now=now,
                rules=rules,
                audience=audience,
                queue=queue,
            )
    except Exception:
        if len(clock_ids) == 1:
            # The clock stays due and is retried by the next sweep; the others went on.
            log.exception("Escalation of clock %s failed", clock_ids[0])
        else:
            log.exception("Batch of %d clocks failed; retrying it in halves", len(clock_ids))
        return False
    result.add(
        breach=breach,
        marked=counts.marked,
        escalations=counts.escalations,
        notifications=counts.notifications,
    )
    return True
