"""The manager's SLA dashboard as plain data (the web page and the API share it).

The period figures (compliance, breaches per day, first response, escalation rates,
satisfaction) are read from the hourly rollups (reports.models, kept by reports.services)
and, for the instants not rolled up yet, computed live by the same grouped queries
(reports.rollups), at most `reports.services.live_limit()` of them; the "now" figures
come from the active-ticket counts the ticket table's triggers keep (backlog, workload:
reports.counts) and from two index range scans of the tickets due within the hour (at
risk). The number of queries is constant whatever the number of tickets, clocks or days,
and no query reads rows in proportion to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, Tier, User
from common.errors import NotAllowed
from sla.selectors import annotate_sla
from tickets.models import Priority, Status, Ticket

from .models import ALL_ORGANISATIONS, ActiveCount, Metric, Rollup, RollupState
from .rollups import ESCALATION_STEPS, Range, Row, percentile_from_buckets, raw_rows
from .services import day_start, rollups_cover

if TYPE_CHECKING:
    from accounts.models import User as UserType

TIER_COMPLIANCE = (Metric.TIER_CLOCKS, Metric.TIER_MET, Metric.TIER_BREACHED)
COMPLIANCE = (Metric.CLOCKS, Metric.MET, Metric.BREACHED)
AT_RISK_WINDOW = dt.timedelta(hours=1)
AT_RISK_LIMIT = 50
MAX_DAYS = 400
AGE_BUCKETS = (
    ("age_under_1d", None, dt.timedelta(days=1)),
    ("age_1_to_3d", dt.timedelta(days=1), dt.timedelta(days=3)),
    ("age_3_to_7d", dt.timedelta(days=3), dt.timedelta(days=7)),
    ("age_over_7d", dt.timedelta(days=7), None),
)


EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAYS_AHEAD = 366


def validate_period_day(value: dt.date) -> None:
    """A dashboard day lies between 2000-01-01 and a year from now: nothing else has clocks,
    and 0001-01-01 or 9999-12-31 would overflow the instants the queries compare with."""
    latest = timezone.localdate() + dt.timedelta(days=LATEST_DAYS_AHEAD)
    if not EARLIEST_DAY <= value <= latest:
        raise ValidationError(
            _("Choose a day between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.isoformat(), "last": latest.isoformat()},
            code="out_of_range",
        )


def _instant(value: dt.date | dt.datetime, *, end: bool = False) -> dt.datetime:
    """A date means the whole local day: start at its midnight, end at the next one."""
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    day = value + dt.timedelta(days=1) if end else value
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def _period_figures(
    *, start: dt.date | dt.datetime, end: dt.date | dt.datetime, org_id: int | None
) -> dict[str, Any]:
    """The figures of the period from the daily rollups, plus what is not rolled up yet.

    Rolled up: the local days of the reader's zone inside the period and the rollups'
    coverage (the last one up to the refresh). Live, through the same grouped queries over
    the raw rows: the rest, the minutes since the last refresh (at most `live_limit()`:
    rollups that do not cover the period are brought up to date first, once). One query
    for the state, one for the rollups and six live ones, whatever the history.
    """
    tz = timezone.get_current_timezone()
    start_at, end_at = _instant(start), _instant(end, end=True)
    ranges: list[Range] = [(start_at, end_at)]
    rows: list[Row] = []
    state: RollupState | None = None
    if not isinstance(start, dt.datetime):
        # Brings the rollups up to date first if they do not cover the period (a zone
        # never refreshed, or the beat stopped): the live part stays the minutes since.
        state = rollups_cover(zone=timezone.get_current_timezone_name(), first=start)
    if state is not None and not isinstance(start, dt.datetime):
        first = max(start, state.covered_from)
        last = min(_local_day(end), timezone.localtime(state.covered_to, tz).date())
        if first <= last:
            stored_from = day_start(first, tz)
            stored_to = min(state.covered_to, day_start(last + dt.timedelta(days=1), tz))
            ranges = [r for r in ((start_at, stored_from), (stored_to, end_at)) if r[0] < r[1]]
            rows = _stored_rows(state.zone, first, last, org_id)
    rows += raw_rows(ranges=ranges, tz=tz, organisation_id=org_id)
    return {
        "compliance_by_tier": _compliance(rows, "tier", Tier.values, TIER_COMPLIANCE),
        "compliance_by_priority": _compliance(rows, "priority", Priority.values, COMPLIANCE),
        "breaches_per_day": _breaches_per_day(rows, start_at, end_at, tz),
        "first_response_by_tier": _first_response(rows),
        "escalation_rates": _escalation_rates(rows),
        **_csat(rows),
    }


def _local_day(value: dt.date | dt.datetime) -> dt.date:
    return timezone.localtime(value).date() if isinstance(value, dt.datetime) else value


def _stored_rows(zone: str, first: dt.date, last: dt.date, org_id: int | None) -> list[Row]:
    """The rollup rows of the days, summed per figure (and per day for the breaches)."""
    per_day = Case(When(metric=Metric.BREACHES, then=F("day")), default=Value(None))
    summed = (
        Rollup.objects.filter(
            zone=zone, organisation_id=org_id or ALL_ORGANISATIONS, day__gte=first, day__lte=last
        )
        .values("metric", "tier", "priority", "technician_id", "bucket", breach_day=per_day)
        .annotate(total=Sum("value"))
        .order_by()
    )
    return [
        Row(
            r["breach_day"],
            org_id,
            r["metric"],
            r["total"],
            tier=r["tier"],
            priority=r["priority"],
            technician_id=r["technician_id"],
            bucket=r["bucket"],
        )
        for r in summed
    ]


def dashboard_figures(
    *,
    user: UserType,
    start: dt.date | dt.datetime,
    end: dt.date | dt.datetime,
    organisation: Organisation | int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """All dashboard tables for clocks started in [start, end) (dates: whole local days).

    Managers only (NotAllowed otherwise). JSON-able data only; instants are ISO
    8601 strings, durations minutes, percentages 0–100 with one decimal or None
    when there is nothing to judge:

        period: {start, end}; organisation: id | None; generated_at
        compliance_by_tier:     [{tier, clocks, met, breached, percent_met}]  (response clocks)
        compliance_by_priority: [{priority, clocks, met, breached, percent_met}]  (all clocks)
        breaches_per_day:       [{day: "YYYY-MM-DD", breaches}]  (every day of the period)
        first_response_by_tier: [{tier, responses, median_minutes, p90_minutes,
                                  breached_unanswered}]  (answers only; breaches nobody
                                  answered apart; percentiles by answer-time bucket, see
                                  reports.rollups)
        escalation_rates:       [{from_tier, to_tier, entered, escalated, percent}]
                                  (entries into the tier and escalations from it, counted
                                  per event)
        backlog_by_age:         [{tier, age_under_1d, age_1_to_3d, age_3_to_7d, age_over_7d,
                                  total}]  (active tickets now)
        at_risk:                [{reference, subject, tier, priority, organisation, assignee,
                                  due_at, minutes_left}]  (due within the hour, max 50)
        workload:               [{technician, name, tier, open, breached}]
        csat_by_tier:           [{tier, ratings, average, percent_satisfied}]  (tickets resolved
                                  in the period and rated; satisfied: 4 or 5)
        csat_by_technician:     [{technician, name, ratings, average, percent_satisfied}]
        csat_comments:          [{reference, subject, rating, comment, tier, technician}]
                                  (newest first, max 20)

    The period figures come from the hourly rollups (reports.services) and the raw rows
    not rolled up yet; the "now" figures (backlog, at risk, workload) from the tickets.
    """
    if not user.is_manager:
        raise NotAllowed("Only managers see the SLA dashboard.")
    now = now or timezone.now()
    start_at, end_at = _instant(start), _instant(end, end=True)
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    tickets = Ticket.objects.all()
    if org_id:
        tickets = tickets.filter(organisation_id=org_id)
    figures = _period_figures(start=start, end=end, org_id=org_id)
    active = _active_counts(org_id, now)
    return {
        "period": {"start": start_at.isoformat(), "end": end_at.isoformat()},
        "organisation": org_id,
        "generated_at": now.isoformat(),
        "compliance_by_tier": figures["compliance_by_tier"],
        "compliance_by_priority": figures["compliance_by_priority"],
        "breaches_per_day": figures["breaches_per_day"],
        "first_response_by_tier": figures["first_response_by_tier"],
        "escalation_rates": figures["escalation_rates"],
        "backlog_by_age": _backlog(active),
        "at_risk": _at_risk(tickets, now),
        "workload": _workload(active),
        "csat_by_tier": figures["csat_by_tier"],
        "csat_by_technician": figures["csat_by_technician"],
        "csat_comments": _csat_comments(
            tickets.filter(resolved_at__gte=start_at, resolved_at__lt=end_at)
        ),
    }


def _sum(rows: list[Row], metric: str, key: str, **match: Any) -> dict[Any, float]:
    totals: dict[Any, float] = {}
    for row in rows:
        if row.metric != metric or any(getattr(row, k) != v for k, v in match.items()):
            continue
        value = getattr(row, key)
        totals[value] = totals.get(value, 0.0) + row.value
    return totals


def _compliance(
    rows: list[Row], key: str, keys: list[str], metrics: tuple[str, str, str]
) -> list[dict[str, Any]]:
    """Met on time vs breached; clocks still running or stopped (tier left) are not judged."""
    clocks, met_on_time, breaches = (_sum(rows, metric, key) for metric in metrics)
    result = []
    for value in keys:
        met, breached = int(met_on_time.get(value, 0)), int(breaches.get(value, 0))
        result.append(
            {
                key: value,
                "clocks": int(clocks.get(value, 0)),
                "met": met,
                "breached": breached,
                "percent_met": _percent(met, met + breached),
            }
        )
    return result


def _breaches_per_day(
    rows: list[Row], start_at: dt.datetime, end_at: dt.datetime, tz: dt.tzinfo
) -> list[dict[str, Any]]:
    counts = {
        day: int(n) for day, n in _sum(rows, Metric.BREACHES, "day").items() if day is not None
    }
    first = timezone.localtime(start_at, tz).date()
    last = timezone.localtime(end_at - dt.timedelta(microseconds=1), tz).date()
    days = min((last - first).days + 1, MAX_DAYS)
    return [
        {"day": day.isoformat(), "breaches": counts.get(day, 0)}
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def _first_response(rows: list[Row]) -> list[dict[str, Any]]:
    responses = _sum(rows, Metric.RESPONSES, "tier")
    unanswered = _sum(rows, Metric.UNANSWERED, "tier")
    result = []
    for tier in Tier.values:
        counts = _sum(rows, Metric.ANSWER_COUNT, "bucket", tier=tier)
        seconds = _sum(rows, Metric.ANSWER_SECONDS, "bucket", tier=tier)
        buckets = {b: (n, seconds.get(b, 0.0)) for b, n in counts.items()}
        result.append(
            {
                "tier": tier,
                "responses": int(responses.get(tier, 0)),
                "median_minutes": _minutes(percentile_from_buckets(buckets, 0.5)),
                "p90_minutes": _minutes(percentile_from_buckets(buckets, 0.9)),
                "breached_unanswered": int(unanswered.get(tier, 0)),
            }
        )
    return result


def _escalation_rates(rows: list[Row]) -> list[dict[str, Any]]:
    """Entries into a tier in the period, and escalations from it one tier up."""
    entered = _sum(rows, Metric.ENTERED, "tier")
    escalated = _sum(rows, Metric.ESCALATED, "tier")
    result = []
    for low, high in ESCALATION_STEPS:
        came_in, moved_up = int(entered.get(low, 0)), int(escalated.get(low, 0))
        result.append(
            {
                "from_tier": low,
                "to_tier": high,
                "entered": came_in,
                "escalated": moved_up,
                "percent": _percent(moved_up, came_in),
            }
        )
    return result


@dataclass
class ActiveFigures:
    backlog: dict[str, dict[str, int]] = field(default_factory=dict)  # tier → age → tickets
    open: dict[int, int] = field(default_factory=dict)  # assignee → active tickets
    breached: dict[int, int] = field(default_factory=dict)  # assignee → of them breached

    def add_backlog(self, tier: str, age: str, n: int) -> None:
        ages = self.backlog.setdefault(tier, {})
        ages[age] = ages.get(age, 0) + n

    def add_workload(self, assignee: int, n: int, *, breached: bool) -> None:
        self.open[assignee] = self.open.get(assignee, 0) + n
        if breached:
            self.breached[assignee] = self.breached.get(assignee, 0) + n


def _hour(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _age(created: dt.datetime, now: dt.datetime) -> str:
    """The age bucket of a ticket created at `created` (the same rule as the SQL below)."""
    for name, _younger, older in AGE_BUCKETS:
        if older is None or created > now - older:
            return name
    return AGE_BUCKETS[-1][0]


def _active_counts(org_id: int | None, now: dt.datetime) -> ActiveFigures:
    """The active tickets per tier and age, and per assignee and breach: one query.

    Read from the counts the ticket table's triggers keep (reports.counts): rows per tier
    and creation hour, and per assignee. An hour holding an age boundary (1, 3, 7 days
    ago) is split exactly by counting its tickets (three index range scans of one hour
    each, on ticket_active_tier_created), the other hours lie inside one bucket. Nothing
    here reads the tickets of the other hours, so the cost does not grow with the backlog.
    """
    edges = [_hour(now - older) for _name, _younger, older in AGE_BUCKETS if older is not None]
    stored = (
        ActiveCount.objects.filter(organisation_id=org_id or ALL_ORGANISATIONS)
        .values(
            k=F("kind"),
            t=F("tier"),
            h=F("created_hour"),
            a=F("assignee_id"),
            b=F("breached"),
            age=Value(""),
        )
        .annotate(total=Sum("n"))
        .order_by()
    )
    in_edges = Q(pk__in=[])
    for edge in edges:
        in_edges |= Q(created_at__gte=edge, created_at__lt=edge + dt.timedelta(hours=1))
    tickets = Ticket.objects.filter(in_edges, status__in=Status.active(), tier__in=Tier.values)
    if org_id:
        tickets = tickets.filter(organisation_id=org_id)
    age = Case(
        *(
            When(created_at__gt=now - older, then=Value(name))
            for name, _younger, older in AGE_BUCKETS
            if older is not None
        ),
        default=Value(AGE_BUCKETS[-1][0]),
    )
    counted = tickets.values(
        k=Value("edge"),
        t=F("tier"),
        h=Value(None, output_field=DateTimeField()),
        a=Value(None, output_field=IntegerField()),
        b=Value(False),
        age=age,
    ).annotate(total=Count("*"))
    figures = ActiveFigures()
    for row in stored.union(counted.order_by(), all=True):
        n = int(row["total"])
        if row["k"] == "edge":
            figures.add_backlog(row["t"], row["age"], n)
        elif row["k"] == ActiveCount.Kind.BACKLOG:
            created = row["h"]
            if created is None:
                figures.add_backlog(row["t"], AGE_BUCKETS[-1][0], n)
            elif created not in edges:
                figures.add_backlog(row["t"], _age(created, now), n)
        elif row["a"] is not None:
            figures.add_workload(row["a"], n, breached=bool(row["b"]))
    return figures


def _backlog(counts: ActiveFigures) -> list[dict[str, Any]]:
    return [
        {
            "tier": tier,
            **{name: counts.backlog.get(tier, {}).get(name, 0) for name, _y, _o in AGE_BUCKETS},
            "total": sum(counts.backlog.get(tier, {}).values()),
        }
        for tier in Tier.values
    ]


def _at_risk(tickets: QuerySet[Ticket], now: dt.datetime) -> list[dict[str, Any]]:
    """Active, not yet breached, a deadline within the hour (two index range scans)."""
    soon = now + AT_RISK_WINDOW
    due_soon = Q(response_due_at__gte=now, response_due_at__lt=soon) | Q(
        resolution_due_at__gte=now, resolution_due_at__lt=soon
    )
    rows = (
        annotate_sla(
            tickets.filter(
                due_soon, status__in=Status.active(), sla_breached=False, sla_paused=False
            ),
            now=now,
        )
        .select_related("assignee", "organisation")
        .order_by("next_due_at", "id")[:AT_RISK_LIMIT]
    )
    result = []
    for ticket in rows:
        due: dt.datetime | None = getattr(ticket, "next_due_at", None)
        result.append(
            {
                "reference": ticket.reference,
                "subject": ticket.subject,
                "tier": ticket.tier,
                "priority": ticket.priority,
                "organisation": ticket.organisation.name if ticket.organisation else "",
                "assignee": ticket.assignee.username if ticket.assignee else "",
                "due_at": due.isoformat() if due else None,
                "minutes_left": round((due - now).total_seconds() / 60, 1) if due else None,
            }
        )
    return result


def _csat_row(ratings: float, total: float, satisfied: float) -> dict[str, Any]:
    return {
        "ratings": int(ratings),
        "average": round(total / ratings, 2) if ratings else None,
        "percent_satisfied": _percent(int(satisfied), int(ratings)),
    }


def _csat(rows: list[Row]) -> dict[str, list[dict[str, Any]]]:
    """Customer ratings of the tickets resolved in the period: per tier, per technician
    (the ticket's assignee). One query, for the technicians' names."""
    tiers = {
        "n": _sum(rows, Metric.RATINGS, "tier"),
        "sum": _sum(rows, Metric.RATING_SUM, "tier"),
        "happy": _sum(rows, Metric.SATISFIED, "tier"),
    }
    people = {
        "n": _sum(rows, Metric.TECH_RATINGS, "technician_id"),
        "sum": _sum(rows, Metric.TECH_RATING_SUM, "technician_id"),
        "happy": _sum(rows, Metric.TECH_SATISFIED, "technician_id"),
    }
    ids = [pk for pk, n in people["n"].items() if pk is not None and n]
    names = {
        row["pk"]: row
        for row in User.objects.filter(pk__in=ids).values(
            "pk", "username", "first_name", "last_name"
        )
    }

    def figures(source: dict[str, dict[Any, float]], key: Any) -> dict[str, Any]:
        return _csat_row(
            source["n"].get(key, 0), source["sum"].get(key, 0), source["happy"].get(key, 0)
        )

    technicians = sorted((names[pk] for pk in ids if pk in names), key=lambda u: u["username"])
    return {
        "csat_by_tier": [{"tier": t, **figures(tiers, t)} for t in Tier.values],
        "csat_by_technician": [
            {
                "technician": user["username"],
                "name": f"{user['first_name']} {user['last_name']}".strip() or user["username"],
                **figures(people, user["pk"]),
            }
            for user in technicians
        ],
    }


def _csat_comments(resolved: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The newest 20 rating comments of the tickets resolved in the period."""
    comments = (
        resolved.filter(satisfaction_rating__isnull=False)
        .exclude(satisfaction_comment="")
        .select_related("assignee")
        .order_by("-resolved_at", "-id")[:20]
    )
    return [
        {
            "reference": t.reference,
            "subject": t.subject,
            "rating": t.satisfaction_rating,
            "comment": t.satisfaction_comment,
            "tier": t.tier,
            "technician": str(t.assignee) if t.assignee else None,
        }
        for t in comments
    ]


def _workload(counts: ActiveFigures) -> list[dict[str, Any]]:
    """Open and breached tickets per active technician (those with nothing assigned too)."""
    technicians = (
        User.objects.filter(role=Role.TECHNICIAN, is_active=True)
        .order_by("tier", "username")
        .values("pk", "username", "first_name", "last_name", "tier")
    )
    return [
        {
            "technician": row["username"],
            "name": f"{row['first_name']} {row['last_name']}".strip() or row["username"],
            "tier": row["tier"],
            "open": counts.open.get(row["pk"], 0),
            "breached": counts.breached.get(row["pk"], 0),
        }
        for row in technicians
    ]
