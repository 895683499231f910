"""The dashboard's period figures computed straight from the raw rows, as the dashboard did
before the rollups: the reference the rollups must equal (tests/reports/test_rollups.py).

One deliberate change from that code: entries into a tier and escalations are counted per
event, not per distinct ticket (the rollup's definition, so hours add up).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, Tier, User
from common.errors import NotAllowed
from escalation.models import Escalation, EscalationKind
from reports.aggregates import PercentileSeconds, percentile
from sla.models import Clock, ClockKind
from tickets.models import EventKind, Priority, Status, Ticket, TicketEvent

if TYPE_CHECKING:
    from accounts.models import User as UserType

AT_RISK_WINDOW = dt.timedelta(hours=1)
AT_RISK_LIMIT = 50
MAX_DAYS = 400
AGE_BUCKETS = (
    ("age_under_1d", None, dt.timedelta(days=1)),
    ("age_1_to_3d", dt.timedelta(days=1), dt.timedelta(days=3)),
    ("age_3_to_7d", dt.timedelta(days=3), dt.timedelta(days=7)),
    ("age_over_7d", dt.timedelta(days=7), None),
)
ESCALATION_STEPS = ((Tier.L1, Tier.L2), (Tier.L2, Tier.L3))


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
                                  answered apart)
        escalation_rates:       [{from_tier, to_tier, entered, escalated, percent}]
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
    """
    if not user.is_manager:
        raise NotAllowed("Only managers see the SLA dashboard.")
    now = now or timezone.now()
    start_at, end_at = _instant(start), _instant(end, end=True)
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    tickets = Ticket.objects.all()
    clocks = Clock.objects.filter(started_at__gte=start_at, started_at__lt=end_at)
    events = TicketEvent.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
    escalations = Escalation.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
    if org_id:
        tickets = tickets.filter(organisation_id=org_id)
        clocks = clocks.filter(ticket__organisation_id=org_id)
        events = events.filter(ticket__organisation_id=org_id)
        escalations = escalations.filter(ticket__organisation_id=org_id)
    breached_in_period = Clock.objects.filter(breached_at__gte=start_at, breached_at__lt=end_at)
    if org_id:
        breached_in_period = breached_in_period.filter(ticket__organisation_id=org_id)
    return {
        "period": {"start": start_at.isoformat(), "end": end_at.isoformat()},
        "organisation": org_id,
        "generated_at": now.isoformat(),
        "compliance_by_tier": _compliance(
            clocks.filter(kind=ClockKind.RESPONSE), "tier", Tier.values
        ),
        "compliance_by_priority": _compliance(clocks, "ticket__priority", Priority.values),
        "breaches_per_day": _breaches_per_day(breached_in_period, start_at, end_at),
        "first_response_by_tier": _first_response(clocks),
        "escalation_rates": _escalation_rates(events, escalations),
        "backlog_by_age": _backlog(tickets, now),
        "at_risk": _at_risk(tickets, now),
        "workload": _workload(org_id),
        **_satisfaction(tickets.filter(resolved_at__gte=start_at, resolved_at__lt=end_at)),
    }


def _compliance(clocks: QuerySet[Clock], key: str, keys: list[str]) -> list[dict[str, Any]]:
    """Met on time vs breached; clocks still running or stopped (tier left) are not judged."""
    rows = {
        row[key]: row
        for row in clocks.values(key)
        .annotate(
            clocks=Count("id"),
            met=Count("id", filter=Q(met_at__isnull=False, breached_at__isnull=True)),
            breached=Count("id", filter=Q(breached_at__isnull=False)),
        )
        .order_by(key)
    }
    name = key.rsplit("__", 1)[-1]
    result = []
    for value in keys:
        row = rows.get(value, {})
        met, breached = row.get("met", 0), row.get("breached", 0)
        result.append(
            {
                name: value,
                "clocks": row.get("clocks", 0),
                "met": met,
                "breached": breached,
                "percent_met": _percent(met, met + breached),
            }
        )
    return result


def _breaches_per_day(
    clocks: QuerySet[Clock], start_at: dt.datetime, end_at: dt.datetime
) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    counts = {
        row["day"]: row["breaches"]
        for row in clocks.annotate(day=TruncDate("breached_at", tzinfo=tz))
        .values("day")
        .annotate(breaches=Count("id"))
        .order_by("day")
    }
    first = timezone.localtime(start_at, tz).date()
    last = timezone.localtime(end_at - dt.timedelta(microseconds=1), tz).date()
    days = min((last - first).days + 1, MAX_DAYS)
    return [
        {"day": day.isoformat(), "breaches": counts.get(day, 0)}
        for day in (first + dt.timedelta(days=n) for n in range(days))
    ]


def _first_response(clocks: QuerySet[Clock]) -> list[dict[str, Any]]:
    # Only real answers count: a response clock met on time, or a breached one that a late
    # answer then met (its "met" history entry says so). A breached clock that nobody
    # answered (handed to another tier, or still waiting) is counted apart, never as a
    # response.
    responses = clocks.filter(kind=ClockKind.RESPONSE)
    late_answer = Exists(
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), kind=EventKind.CLOCK_MET)
        .annotate(met_clock=Cast(KT("after__clock"), BigIntegerField()))
        .filter(met_clock=OuterRef("pk"))
    )
    responses = responses.annotate(answered_late=late_answer)
    unanswered = dict(
        responses.filter(breached_at__isnull=False, answered_late=False)
        .values("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    ended = responses.filter(
        Q(met_at__isnull=False) | Q(breached_at__isnull=False, answered_late=True)
    )
    ended = ended.annotate(ended_at=Coalesce("met_at", "stopped_at"))
    duration = ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField())
    rows: dict[str, dict[str, Any]] = {}
    if connection.vendor == "postgresql":
        for row in (
            ended.values("tier")
            .annotate(
                responses=Count("id"),
                median=PercentileSeconds(duration, fraction=0.5),
                p90=PercentileSeconds(duration, fraction=0.9),
            )
            .order_by("tier")
        ):
            rows[row["tier"]] = row
    else:
        seconds: dict[str, list[float]] = {}
        for tier, started_at, ended_at in ended.values_list("tier", "started_at", "ended_at"):
            seconds.setdefault(tier, []).append((ended_at - started_at).total_seconds())
        for tier, values in seconds.items():
            rows[tier] = {
                "responses": len(values),
                "median": percentile(values, 0.5),
                "p90": percentile(values, 0.9),
            }
    return [
        {
            "tier": tier,
            "responses": rows.get(tier, {}).get("responses", 0),
            "median_minutes": _minutes(rows.get(tier, {}).get("median")),
            "p90_minutes": _minutes(rows.get(tier, {}).get("p90")),
            "breached_unanswered": unanswered.get(tier, 0),
        }
        for tier in Tier.values
    ]


def _escalation_rates(
    events: QuerySet[TicketEvent], escalations: QuerySet[Escalation]
) -> list[dict[str, Any]]:
    """Share of the tickets that entered a tier in the period and were escalated from it.

    Entering: the creation and tier-change events of the ticket history.
    Escalated: escalation records (sweep or manual) that moved the ticket up one tier.
    """

    def entered(tier: str) -> Q:
        return Q(kind__in=[EventKind.CREATED, EventKind.TIER], after__tier=tier)

    came_in = events.filter(kind__in=[EventKind.CREATED, EventKind.TIER]).aggregate(
        **{f"entered_{low}": Count("id", filter=entered(low)) for low, _high in ESCALATION_STEPS}
    )
    moved_up = escalations.exclude(kind=EscalationKind.DEESCALATION).aggregate(
        **{
            f"moved_{low}": Count("id", filter=Q(from_tier=low, to_tier=high))
            for low, high in ESCALATION_STEPS
        }
    )
    return [
        {
            "from_tier": low,
            "to_tier": high,
            "entered": came_in[f"entered_{low}"],
            "escalated": moved_up[f"moved_{low}"],
            "percent": _percent(moved_up[f"moved_{low}"], came_in[f"entered_{low}"]),
        }
        for low, high in ESCALATION_STEPS
    ]


def _backlog(tickets: QuerySet[Ticket], now: dt.datetime) -> list[dict[str, Any]]:
    buckets = {}
    for name, younger, older in AGE_BUCKETS:
        condition = Q()
        if younger is not None:
            condition &= Q(created_at__lte=now - younger)
        if older is not None:
            condition &= Q(created_at__gt=now - older)
        buckets[name] = Count("id", filter=condition)
    rows = {
        row["tier"]: row
        for row in tickets.filter(status__in=Status.active())
        .values("tier")
        .annotate(total=Count("id"), **buckets)
        .order_by("tier")
    }
    return [
        {
            "tier": tier,
            **{name: rows.get(tier, {}).get(name, 0) for name, _y, _o in AGE_BUCKETS},
            "total": rows.get(tier, {}).get("total", 0),
        }
        for tier in Tier.values
    ]


def _at_risk(tickets: QuerySet[Ticket], now: dt.datetime) -> list[dict[str, Any]]:
    """Active, not breached, not paused, a response or resolution deadline within the hour;
    the 50 with the nearest next deadline. Judged here in Python over every ticket, not by
    the selector's query (the reference must not share the code it checks)."""
    soon = now + AT_RISK_WINDOW

    def at_risk(ticket: Ticket) -> bool:
        due = (ticket.response_due_at, ticket.resolution_due_at)
        return (
            ticket.status in Status.active()
            and not ticket.sla_breached
            and not ticket.sla_paused
            and any(d is not None and now <= d < soon for d in due)
        )

    chosen = sorted(
        (t for t in tickets.select_related("assignee", "organisation") if at_risk(t)),
        key=lambda t: (t.next_due_at is None, t.next_due_at or now, t.pk),
    )[:AT_RISK_LIMIT]
    result = []
    for ticket in chosen:
        due = ticket.next_due_at
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


def _csat_row(row: dict[str, Any]) -> dict[str, Any]:
    ratings = row.get("ratings", 0)
    average = row.get("average")
    return {
        "ratings": ratings,
        "average": round(average, 2) if average is not None else None,
        "percent_satisfied": _percent(row.get("satisfied", 0), ratings),
    }


def _satisfaction(resolved: QuerySet[Ticket]) -> dict[str, list[dict[str, Any]]]:
    """Customer ratings of the tickets resolved in the period: per tier, per technician
    (the ticket's assignee), and the comments. Three queries."""
    rated = resolved.filter(satisfaction_rating__isnull=False).order_by()
    figures = {
        "ratings": Count("id"),
        "average": Avg("satisfaction_rating"),
        "satisfied": Count("id", filter=Q(satisfaction_rating__gte=4)),
    }
    tiers = {row["tier"]: row for row in rated.values("tier").annotate(**figures)}
    people = (
        rated.filter(assignee__isnull=False)
        .values("assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(**figures)
        .order_by("assignee__username")
    )
    comments = (
        rated.exclude(satisfaction_comment="")
        .select_related("assignee")
        .order_by("-resolved_at", "-id")[:20]
    )
    return {
        "csat_by_tier": [{"tier": t, **_csat_row(tiers.get(t, {}))} for t in Tier.values],
        "csat_by_technician": [
            {
                "technician": row["assignee__username"],
                "name": f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
                or row["assignee__username"],
                **_csat_row(row),
            }
            for row in people
        ],
        "csat_comments": [
            {
                "reference": t.reference,
                "subject": t.subject,
                "rating": t.satisfaction_rating,
                "comment": t.satisfaction_comment,
                "tier": t.tier,
                "technician": str(t.assignee) if t.assignee else None,
            }
            for t in comments
        ],
    }


def _workload(org_id: int | None) -> list[dict[str, Any]]:
    """Open and breached tickets per active technician.

    Two queries: one grouped scan of the active tickets, then the technicians
    (so those with nothing assigned are listed too). Joining users to every
    ticket instead makes PostgreSQL hash the whole ticket table.
    """
    tickets = Ticket.objects.filter(status__in=Status.active(), assignee__isnull=False)
    if org_id:
        tickets = tickets.filter(organisation_id=org_id)
    counts = {
        row["assignee_id"]: row
        for row in tickets.order_by()
        .values("assignee_id")
        .annotate(open=Count("id"), breached=Count("id", filter=Q(sla_breached=True)))
    }
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
            "open": counts.get(row["pk"], {}).get("open", 0),
            "breached": counts.get(row["pk"], {}).get("breached", 0),
        }
        for row in technicians
    ]
