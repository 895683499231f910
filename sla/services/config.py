"""Writes of the SLA configuration: agreements with their target tables, calendars with their
closed dates. The admin and the API both call these two services.

Each validates everything first (the model's rules, the complete target table), then in one
transaction replaces the child rows, saves the parent once (its new `updated_at` changes the
cache key of every process, see sla.policies) and queues one recompute of the running clocks
for after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db import transaction

from ..models import Agreement, Calendar, ClosedDate, Target
from ..validation import TargetRow, validate_target_table
from .recompute import calendar_changed, queue_recompute


def agreement_save(
    *, agreement: Agreement, targets: Sequence[TargetRow] | None = None
) -> Agreement:
    """Create or change `agreement` (its fields already set by the caller) and, when `targets`
    is given, replace its whole target table with them. Raises ValidationError, changing
    nothing, if the agreement or the table is not valid."""
    rows = None if targets is None else list(targets)
    agreement.full_clean()
    if rows is not None:
        validate_target_table(rows)
    created = agreement.pk is None
    with transaction.atomic():
        if created:
            agreement.save()
        if rows is not None:
            Target.objects.filter(agreement_id=agreement.pk).delete()
            Target.objects.bulk_create(
                Target(
                    agreement=agreement,
                    kind=row.kind,
                    tier=row.tier,
                    priority=row.priority,
                    vip=row.vip,
                    minutes=row.minutes or 0,  # validated positive above
                )
                for row in rows
            )
        if not created:
            agreement.save()  # the one touch, after the targets
            queue_recompute(agreement_ids=[agreement.pk])
    return agreement


def calendar_save(
    *, calendar: Calendar, closed_dates: Iterable[tuple[date, str]] | None = None
) -> Calendar:
    """Create or change `calendar` (its fields already set by the caller) and, when
    `closed_dates` ((date, name) pairs) is given, replace its closed dates with them; running
    clocks on every agreement using the calendar are recomputed after the commit."""
    dates = None if closed_dates is None else dict(closed_dates)
    calendar.full_clean()
    created = calendar.pk is None
    with transaction.atomic():
        if created:
            calendar.save()
        if dates is not None:
            ClosedDate.objects.filter(calendar_id=calendar.pk).delete()
            ClosedDate.objects.bulk_create(
                ClosedDate(calendar=calendar, date=day, name=name)
                for day, name in sorted(dates.items())
            )
        if not created:
            calendar.save()  # the one touch, after the closed dates
            calendar_changed(calendar_id=calendar.pk)
    return calendar
