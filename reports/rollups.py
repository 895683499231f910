"""The period figures as rollup rows, computed from the raw tables.

One computation serves three callers: the rebuild (all history, by hour), the periodic
refresh (the last weeks, by hour) and the dashboard's live edge (the hours not rolled up
yet, usually the last few minutes). Each metric is one grouped query (the answer durations
one fetch, bucketed here), so the number of queries is constant.

Deliberate definitions (the same on every path):
- entries into a tier and escalations are counted per event, not per distinct ticket, so
  hours add up: a ticket de-escalated and escalated again counts twice in both.
- answer times are kept in buckets about 10 % wide, each with its count and sum: a
  percentile is read as the mean of the bucket holding that rank, exact when the values of
  a bucket are equal and within the bucket otherwise (see `percentile_from_buckets`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, ExtractMinute, TruncDate, TruncHour

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Ticket, TicketEvent

from .models import Metric

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
BUCKET_RATIO = 1.1
ESCALATION_STEPS = ((Tier.L1, Tier.L2), (Tier.L2, Tier.L3))

Range = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Row:
    hour: Any  # a UTC hour (datetime); for live breaches with `breach_tz`, the local date
    organisation_id: int | None
    metric: str
    value: float
    kind: str = ""
    tier: str = ""
    priority: str = ""
    technician_id: int | None = None
    bucket: int = 0


def answer_bucket(seconds: float) -> int:
    """Bucket k holds 60 s × (1.1^k − 1) up to the next edge: 6 s wide at first, then 10 %."""
    return int(math.log1p(max(seconds, 0.0) / 60.0) / math.log(BUCKET_RATIO))


def percentile_from_buckets(buckets: dict[int, tuple[float, float]], fraction: float):
    """percentile_cont's interpolation over the ranks, each rank valued at its bucket's mean.

    `buckets`: bucket → (count, sum of seconds). None when there is nothing.
    """
    ordered = [(b, n, s) for b, (n, s) in sorted(buckets.items()) if n > 0]
    total = sum(n for _b, n, _s in ordered)
    if not total:
        return None
    position = fraction * (total - 1)
    low = int(position)
    high = min(low + 1, int(total) - 1)

    def value_at(rank: int) -> float:
        seen = 0.0
        for _bucket, count, seconds in ordered:
            seen += count
            if rank < seen:
                return seconds / count
        return ordered[-1][2] / ordered[-1][1]

    low_value, high_value = value_at(low), value_at(high)
    return low_value + (high_value - low_value) * (position - low)


def within(field: str, ranges: Sequence[Range]) -> Q:
    condition = Q(pk__in=[])
    for start, end in ranges:
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return condition


def raw_rows(
    *,
    ranges: Sequence[Range],
    organisation_id: int | None = None,
    breach_tz: dt.tzinfo | None = None,
) -> list[Row]:
    """Every metric for the instants in `ranges`, by UTC hour and organisation.

    With `breach_tz`, breaches are keyed by their local date in that zone instead (the live
    edge of a dashboard whose zone is not a whole number of hours from UTC stays exact).
    """
    if not ranges:
        return []
    org = organisation_id
    rows: list[Row] = []
    rows += _clock_rows(ranges, org)
    rows += _answer_rows(ranges, org)
    rows += _breach_rows(ranges, org, breach_tz)
    rows += _entry_rows(ranges, org)
    rows += _escalation_rows(ranges, org)
    rows += _rating_rows(ranges, org)
    return rows


def _hour(field: str) -> TruncHour:
    return TruncHour(field, tzinfo=UTC)


def _clocks(ranges: Sequence[Range], field: str, org: int | None):
    clocks = Clock.objects.filter(within(field, ranges))
    return clocks.filter(ticket__organisation_id=org) if org else clocks


def _clock_rows(ranges: Sequence[Range], org: int | None) -> list[Row]:
    """Met on time vs breached; clocks still running or stopped are counted, not judged."""
    grouped = (
        _clocks(ranges, "started_at", org)
        .annotate(key=_hour("started_at"))
        .values("key", "kind", "tier", org=F("ticket__organisation_id"), prio=F("ticket__priority"))
        .annotate(
            n_clocks=Count("id"),
            n_met=Count("id", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            n_breached=Count("id", filter=Q(breached_at__isnull=False)),
        )
        .order_by()
    )
    rows = []
    for row in grouped:
        dims = {"kind": row["kind"], "tier": row["tier"], "priority": row["prio"]}
        for metric, name in ((Metric.CLOCKS, "n_clocks"), (Metric.MET, "n_met")) + (
            (Metric.BREACHED, "n_breached"),
        ):
            if row[name]:
                rows.append(Row(row["key"], row["org"], metric, row[name], **dims))
    return rows


def _answer_rows(ranges: Sequence[Range], org: int | None) -> list[Row]:
    # Only real answers count: a response clock met on time, or a breached one that a late
    # answer then met (its "met" history entry says so). A breached clock that nobody
    # answered (handed to another tier, or still waiting) is counted apart, never as a
    # response.
    late_answer = Exists(
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), kind=EventKind.CLOCK_MET)
        .annotate(met_clock=Cast(KT("after__clock"), BigIntegerField()))
        .filter(met_clock=OuterRef("pk"))
    )
    clocks = (
        _clocks(ranges, "started_at", org)
        .filter(kind=ClockKind.RESPONSE)
        .filter(Q(met_at__isnull=False) | Q(breached_at__isnull=False))
        .annotate(key=_hour("started_at"), late=late_answer)
        .values_list(
            "key",
            "ticket__organisation_id",
            "tier",
            "started_at",
            "met_at",
            "stopped_at",
            "breached_at",
            "late",
        )
        .order_by()
    )
    counts: dict[tuple, float] = {}

    def add(key: tuple, value: float) -> None:
        counts[key] = counts.get(key, 0.0) + value

    for hour, org_id, tier, started, met, stopped, breached, late in clocks.iterator(5000):
        if breached is not None and not late:
            add((hour, org_id, Metric.UNANSWERED, tier, 0), 1)
        if met is None and not (breached is not None and late):
            continue
        add((hour, org_id, Metric.RESPONSES, tier, 0), 1)
        ended = met or stopped
        if ended is None:
            continue
        seconds = (ended - started).total_seconds()
        bucket = answer_bucket(seconds)
        add((hour, org_id, Metric.ANSWER_COUNT, tier, bucket), 1)
        add((hour, org_id, Metric.ANSWER_SECONDS, tier, bucket), seconds)
    return [
        Row(hour, org_id, metric, value, tier=tier, bucket=bucket)
        for (hour, org_id, metric, tier, bucket), value in counts.items()
    ]


def _breach_rows(ranges: Sequence[Range], org: int | None, tz: dt.tzinfo | None) -> list[Row]:
    """By quarter hour (`bucket` 0–3 of the UTC hour): every zone's midnight is on one, also
    India's, Nepal's or Adelaide's, so the breaches of a local day add up exactly."""
    clocks = _clocks(ranges, "breached_at", org)
    if tz:
        clocks = clocks.annotate(key=TruncDate("breached_at", tzinfo=tz), quarter=Value(0))
    else:
        quarter = ExpressionWrapper(
            ExtractMinute("breached_at", tzinfo=UTC) / 15, output_field=IntegerField()
        )
        clocks = clocks.annotate(key=_hour("breached_at"), quarter=quarter)
    grouped = (
        clocks.values("key", "quarter", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Row(row["key"], row["org"], Metric.BREACHES, row["n"], bucket=row["quarter"])
        for row in grouped
    ]


def _entry_rows(ranges: Sequence[Range], org: int | None) -> list[Row]:
    """Entering a tier: the creation and tier-change entries of the ticket history."""
    events = TicketEvent.objects.filter(
        within("created_at", ranges), kind__in=[EventKind.CREATED, EventKind.TIER]
    )
    if org:
        events = events.filter(ticket__organisation_id=org)
    tiers = Q(pk__in=[])
    for low, _high in ESCALATION_STEPS:
        tiers |= Q(after__tier=low)  # not `__in` on the key text: SQLite parses it as JSON
    grouped = (
        events.filter(tiers)
        .annotate(key=_hour("created_at"), entered=KT("after__tier"))
        .values("key", "entered", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Row(row["key"], row["org"], Metric.ENTERED, row["n"], tier=row["entered"])
        for row in grouped
    ]


def _escalation_rows(ranges: Sequence[Range], org: int | None) -> list[Row]:
    """Escalation records (sweep or manual) that moved a ticket up one tier."""
    steps = Q(pk__in=[])
    for low, high in ESCALATION_STEPS:
        steps |= Q(from_tier=low, to_tier=high)
    escalations = (
        Escalation.objects.filter(within("created_at", ranges))
        .filter(steps)
        .exclude(kind=EscalationKind.DEESCALATION)
    )
    if org:
        escalations = escalations.filter(ticket__organisation_id=org)
    grouped = (
        escalations.annotate(key=_hour("created_at"))
        .values("key", "from_tier", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Row(row["key"], row["org"], Metric.ESCALATED, row["n"], tier=row["from_tier"])
        for row in grouped
    ]


def _rating_rows(ranges: Sequence[Range], org: int | None) -> list[Row]:
    """Customer ratings of the tickets resolved in the range, per tier and assignee."""
    rated = Ticket.objects.filter(within("resolved_at", ranges), satisfaction_rating__isnull=False)
    if org:
        rated = rated.filter(organisation_id=org)
    grouped = (
        rated.annotate(key=_hour("resolved_at"))
        .values("key", "tier", org=F("organisation_id"), technician=F("assignee_id"))
        .annotate(
            n=Count("id"),
            total=Sum("satisfaction_rating"),
            happy=Count("id", filter=Q(satisfaction_rating__gte=4)),
        )
        .order_by()
    )
    rows = []
    for row in grouped:
        dims = {"tier": row["tier"], "technician_id": row["technician"]}
        rows.append(Row(row["key"], row["org"], Metric.RATINGS, row["n"], **dims))
        rows.append(Row(row["key"], row["org"], Metric.RATING_SUM, row["total"], **dims))
        if row["happy"]:
            rows.append(Row(row["key"], row["org"], Metric.SATISFIED, row["happy"], **dims))
    return rows
