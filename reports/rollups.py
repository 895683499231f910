"""The period figures as rollup rows, computed from the raw tables.

One computation serves three callers: the rebuild (all history), the periodic refresh (the
last days) and the dashboard's live edge (what is not rolled up yet, usually the minutes
since the last refresh). Each metric is one query grouped by local day (the answer
durations one fetch, bucketed here), so the number of queries is constant.

Deliberate definitions (the same on every path):
- entries into a tier and escalations are counted per event, not per distinct ticket, so
  days add up: a ticket de-escalated and escalated again counts twice in both.
- answer times are kept in buckets about 10 % wide, each with its count and sum: a
  percentile is read as the mean of the bucket holding that rank, exact when the values of
  a bucket are equal and within the bucket otherwise (see `percentile_from_buckets`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Ticket, TicketEvent

from .models import Metric

BUCKET_RATIO = 1.1
ESCALATION_STEPS = ((Tier.L1, Tier.L2), (Tier.L2, Tier.L3))

Range = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Row:
    day: dt.date | None
    organisation_id: int | None
    metric: str
    value: float
    tier: str = ""
    priority: str = ""
    technician_id: int | None = None
    bucket: int = 0


class _Rows:
    """Sums values by (day, organisation, metric, dimensions)."""

    def __init__(self) -> None:
        self.totals: dict[tuple, float] = {}

    def add(self, day, org, metric, value, tier="", priority="", tech=None, bucket=0) -> None:
        if value:
            key = (day, org, metric, tier, priority, tech, bucket)
            self.totals[key] = self.totals.get(key, 0.0) + value

    def rows(self) -> list[Row]:
        return [
            Row(day, org, metric, value, tier, priority, tech, bucket)
            for (day, org, metric, tier, priority, tech, bucket), value in self.totals.items()
        ]


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
    *, ranges: Sequence[Range], tz: dt.tzinfo, organisation_id: int | None = None
) -> list[Row]:
    """Every metric for the instants in `ranges`, by local day in `tz` and organisation."""
    if not ranges:
        return []
    out = _Rows()
    org = organisation_id
    _clock_rows(out, ranges, org, tz)
    _answer_rows(out, ranges, org, tz)
    _breach_rows(out, ranges, org, tz)
    _entry_rows(out, ranges, org, tz)
    _escalation_rows(out, ranges, org, tz)
    _rating_rows(out, ranges, org, tz)
    return out.rows()


def _clocks(ranges: Sequence[Range], field: str, org: int | None):
    clocks = Clock.objects.filter(within(field, ranges))
    return clocks.filter(ticket__organisation_id=org) if org else clocks


def _clock_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
    """Met on time vs breached; clocks still running or stopped are counted, not judged."""
    grouped = (
        _clocks(ranges, "started_at", org)
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day", "kind", "tier", org=F("ticket__organisation_id"), prio=F("ticket__priority"))
        .annotate(
            n_clocks=Count("id"),
            n_met=Count("id", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            n_breached=Count("id", filter=Q(breached_at__isnull=False)),
        )
        .order_by()
    )
    for row in grouped:
        day, org_id, tier, prio = row["day"], row["org"], row["tier"], row["prio"]
        out.add(day, org_id, Metric.CLOCKS, row["n_clocks"], priority=prio)
        out.add(day, org_id, Metric.MET, row["n_met"], priority=prio)
        out.add(day, org_id, Metric.BREACHED, row["n_breached"], priority=prio)
        if row["kind"] == ClockKind.RESPONSE:
            out.add(day, org_id, Metric.TIER_CLOCKS, row["n_clocks"], tier=tier)
            out.add(day, org_id, Metric.TIER_MET, row["n_met"], tier=tier)
            out.add(day, org_id, Metric.TIER_BREACHED, row["n_breached"], tier=tier)


def _answer_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
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
        .annotate(day=TruncDate("started_at", tzinfo=tz), late=late_answer)
        .values_list(
            "day",
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
    for day, org_id, tier, started, met, stopped, breached, late in clocks.iterator(5000):
        if breached is not None and not late:
            out.add(day, org_id, Metric.UNANSWERED, 1, tier=tier)
        if met is None and not (breached is not None and late):
            continue
        out.add(day, org_id, Metric.RESPONSES, 1, tier=tier)
        ended = met or stopped
        if ended is None:
            continue
        seconds = (ended - started).total_seconds()
        bucket = answer_bucket(seconds)
        out.add(day, org_id, Metric.ANSWER_COUNT, 1, tier=tier, bucket=bucket)
        out.add(day, org_id, Metric.ANSWER_SECONDS, seconds, tier=tier, bucket=bucket)


def _breach_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
    grouped = (
        _clocks(ranges, "breached_at", org)
        .annotate(day=TruncDate("breached_at", tzinfo=tz))
        .values("day", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        out.add(row["day"], row["org"], Metric.BREACHES, row["n"])


def _entry_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
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
        .annotate(day=TruncDate("created_at", tzinfo=tz), entered=KT("after__tier"))
        .values("day", "entered", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        out.add(row["day"], row["org"], Metric.ENTERED, row["n"], tier=row["entered"])


def _escalation_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
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
        escalations.annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day", "from_tier", org=F("ticket__organisation_id"))
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        out.add(row["day"], row["org"], Metric.ESCALATED, row["n"], tier=row["from_tier"])


def _rating_rows(out: _Rows, ranges: Sequence[Range], org: int | None, tz: dt.tzinfo) -> None:
    """Customer ratings of the tickets resolved in the range, per tier and per assignee."""
    rated = Ticket.objects.filter(within("resolved_at", ranges), satisfaction_rating__isnull=False)
    if org:
        rated = rated.filter(organisation_id=org)
    grouped = (
        rated.annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values("day", "tier", org=F("organisation_id"), tech=F("assignee_id"))
        .annotate(
            n=Count("id"),
            total=Sum("satisfaction_rating"),
            happy=Count("id", filter=Q(satisfaction_rating__gte=4)),
        )
        .order_by()
    )
    for row in grouped:
        day, org_id, tier, tech = row["day"], row["org"], row["tier"], row["tech"]
        out.add(day, org_id, Metric.RATINGS, row["n"], tier=tier)
        out.add(day, org_id, Metric.RATING_SUM, row["total"], tier=tier)
        out.add(day, org_id, Metric.SATISFIED, row["happy"], tier=tier)
        if tech is not None:
            out.add(day, org_id, Metric.TECH_RATINGS, row["n"], tech=tech)
            out.add(day, org_id, Metric.TECH_RATING_SUM, row["total"], tech=tech)
            out.add(day, org_id, Metric.TECH_SATISFIED, row["happy"], tech=tech)
