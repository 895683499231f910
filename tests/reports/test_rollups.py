"""Dashboard rollups: the figures read from them equal the raw computation, in any zone."""

import datetime as dt
import random
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Tier
from escalation.models import Escalation, EscalationKind
from reports.models import Rollup, RollupState
from reports.selectors import dashboard_figures
from reports.services import live_limit, rollups_rebuild, rollups_refresh
from sla.models import Clock, ClockKind
from tests.factories import OrganisationFactory, TechnicianFactory, TicketFactory, UserFactory
from tests.reports import reference
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# Two weeks around the EU change to summer time (29 March 2026), "now" in the last day.
NOW = dt.datetime(2026, 4, 2, 14, 25, tzinfo=UTC)
FIRST = dt.datetime(2026, 3, 20, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
PERIOD_KEYS = (
    "compliance_by_tier",
    "compliance_by_priority",
    "breaches_per_day",
    "first_response_by_tier",
    "escalation_rates",
    "csat_by_tier",
    "csat_by_technician",
    "csat_comments",
    # The "now" tables are not rolled up, but their single grouped scan is compared too.
    "backlog_by_age",
    "workload",
    "at_risk",
)
# Whole minutes from a short list: every answer-time bucket holds equal values, so the
# bucketed percentiles are exact (test_percentiles_stay_within_a_bucket covers the rest).
MINUTES = (4, 12, 30, 45, 90, 200, 610)
OUTCOMES = ("met", "late", "unanswered", "running", "met", "stopped")


def _clock(ticket, *, kind, tier, started, minutes, outcome, cycle=1):
    due = started + dt.timedelta(minutes=60)
    ended = started + dt.timedelta(minutes=minutes)
    breached = outcome in ("late", "unanswered")
    clock = Clock.objects.create(
        ticket=ticket,
        kind=kind,
        tier=tier,
        cycle=cycle,
        target_minutes=60,
        started_at=started,
        due_at=due,
        warn_at=due - dt.timedelta(minutes=10),
        met_at=ended if outcome == "met" else None,
        breached_at=due if breached and due <= NOW else None,
        stopped_at=ended if outcome in ("late", "unanswered", "stopped") else None,
    )
    if outcome == "late":
        TicketEvent.objects.create(
            ticket=ticket,
            kind=EventKind.CLOCK_MET,
            after={"clock": clock.pk, "kind": kind, "tier": tier, "late": True},
            created_at=ended,
        )
    return clock


@pytest.fixture
def desk():
    """Tickets every few hours over two weeks, many close to midnight somewhere."""
    orgs = [OrganisationFactory(name="Acme"), OrganisationFactory(name="Globex")]
    customers = [UserFactory(organisation=org) for org in orgs] + [UserFactory()]
    techs = [TechnicianFactory(tier=Tier.L1), TechnicianFactory(tier=Tier.L2)]
    rng = random.Random(13)
    n = 0
    instant = FIRST - dt.timedelta(hours=30)  # some history before every period
    while instant < NOW:
        requester = customers[n % 3]
        tier = Tier.values[n % 3]
        ticket = TicketFactory(
            requester=requester,
            tier=tier,
            priority=f"P{1 + n % 4}",
            assignee=techs[n % 2] if n % 5 else None,
        )
        TicketEvent.objects.create(
            ticket=ticket, kind=EventKind.CREATED, after={"tier": tier}, created_at=instant
        )
        minutes = MINUTES[n % len(MINUTES)]
        response = _clock(
            ticket,
            kind=ClockKind.RESPONSE,
            tier=tier,
            started=instant,
            minutes=minutes,
            outcome=OUTCOMES[(n // 3) % len(OUTCOMES)],
        )
        _clock(
            ticket,
            kind=ClockKind.RESOLUTION,
            tier="",
            started=instant,
            minutes=minutes * 3,
            outcome=OUTCOMES[(n // 2) % len(OUTCOMES)],
        )
        if tier != Tier.L3 and n % 4 == 1:
            later = instant + dt.timedelta(minutes=70)
            Escalation.objects.create(
                ticket=ticket,
                from_tier=tier,
                to_tier=Tier.values[Tier.values.index(tier) + 1],
                kind=EscalationKind.MANUAL if n % 8 == 1 else EscalationKind.BREACH,
                clock=None if n % 8 == 1 else response,
                created_at=later,
            )
            TicketEvent.objects.create(
                ticket=ticket,
                kind=EventKind.TIER,
                after={"tier": Tier.values[Tier.values.index(tier) + 1]},
                created_at=later,
            )
        if n % 3 != 2:
            resolved = instant + dt.timedelta(hours=5)
            if resolved < NOW:
                ticket.status = "resolved"
                ticket.resolved_at = resolved
                ticket.satisfaction_rating = 1 + n % 5 if n % 4 else None
                ticket.satisfaction_comment = f"Comment {n}" if n % 7 == 0 else ""
                ticket.save()
        n += 1
        # Irregular steps (1–7 h, odd minutes) hit every hour of the day, and midnights.
        instant += dt.timedelta(hours=rng.randint(1, 7), minutes=rng.choice([0, 17, 31, 45, 59]))
    # Deadlines around the next hour (some past, some beyond it; some breached or paused):
    # the at-risk table has rows to compare.
    active = Ticket.objects.filter(status__in=["new", "open"]).order_by("pk")
    for i, pk in enumerate(active.values_list("pk", flat=True)[:14]):
        due = NOW + dt.timedelta(minutes=7 * i - 10)
        Ticket.objects.filter(pk=pk).update(
            response_due_at=due if i % 2 else None,
            resolution_due_at=None if i % 2 else due,
            next_due_at=due,
            sla_breached=i % 5 == 4,
            sla_paused=i % 7 == 6,
        )
    return orgs


def _both(user, *, zone, start, end, organisation=None):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        kwargs = {"user": user, "start": start, "end": end, "organisation": organisation}
        new = dashboard_figures(now=NOW, **kwargs)
        old = reference.dashboard_figures(now=NOW, **kwargs)
    return new, old


def _assert_same(new, old):
    for key in PERIOD_KEYS:
        assert new[key] == old[key], key


@pytest.mark.parametrize("zone", ZONES)
def test_rolled_up_figures_equal_the_raw_computation(manager, desk, zone):
    manager.time_zone = zone  # rollups are kept in the zone of every manager
    manager.save(update_fields=["time_zone"])
    with time_machine.travel(NOW, tick=False):
        written = rollups_rebuild()
        assert written == Rollup.objects.count() > 0
        assert RollupState.objects.filter(zone=zone).exists()
        for start, end in (
            (dt.date(2026, 3, 20), dt.date(2026, 4, 2)),  # two weeks with the DST change
            (dt.date(2026, 3, 28), dt.date(2026, 3, 29)),
            (dt.date(2026, 4, 2), dt.date(2026, 4, 2)),  # today only: all live
            (dt.date(2026, 3, 1), dt.date(2026, 3, 19)),  # before the first ticket
        ):
            new, old = _both(manager, zone=zone, start=start, end=end)
            _assert_same(new, old)
            if start == dt.date(2026, 3, 20):
                two_weeks = new
        new, old = _both(
            manager,
            zone=zone,
            start=dt.date(2026, 3, 18),
            end=dt.date(2026, 4, 2),
            organisation=desk[1].pk,
        )
        _assert_same(new, old)
    # The data are not trivial: several days with breaches, answers, ratings, escalations.
    assert sum(1 for d in two_weeks["breaches_per_day"] if d["breaches"]) >= 5
    assert all(row["responses"] for row in two_weeks["first_response_by_tier"])
    assert all(row["breached_unanswered"] for row in two_weeks["first_response_by_tier"])
    assert sum(row["ratings"] for row in two_weeks["csat_by_tier"]) >= 10
    assert two_weeks["csat_comments"] and two_weeks["csat_by_technician"]
    assert two_weeks["escalation_rates"][0]["escalated"] >= 3
    assert len(two_weeks["at_risk"]) >= 5


def test_never_refreshed_refreshed_and_rebuilt_agree(manager, desk):
    """A desk never refreshed (its first reader refreshes), after a partial refresh and
    after a later change."""
    period = {"zone": "UTC", "start": dt.date(2026, 3, 20), "end": dt.date(2026, 4, 2)}
    with time_machine.travel(NOW, tick=False):
        new, old = _both(manager, **period)
        _assert_same(new, old)
        state = RollupState.objects.get()
        assert (state.zone, state.covered_to) == ("UTC", NOW)
        assert state.covered_from <= period["start"]
        rollups_refresh(days=5)  # the last five days again
        _assert_same(*_both(manager, **period))
    # Hours already rolled up change (a ticket of three days ago moves to P1 and its rating
    # arrives late) and new activity arrives: the refresh brings both in.
    clock = Clock.objects.filter(
        kind=ClockKind.RESPONSE, started_at__lt=NOW - dt.timedelta(days=3)
    ).last()
    Ticket.objects.filter(pk=clock.ticket_id).update(
        priority="P1", resolved_at=NOW - dt.timedelta(days=2), satisfaction_rating=5
    )
    later = NOW + dt.timedelta(hours=2)
    fresh = TicketFactory(requester=UserFactory(organisation=desk[0]), tier=Tier.L2)
    _clock(fresh, kind=ClockKind.RESPONSE, tier=Tier.L2, started=later, minutes=4, outcome="met")
    with time_machine.travel(later + dt.timedelta(minutes=10), tick=False):
        rollups_refresh()
        new, old = _both(manager, **period)
        _assert_same(new, old)


def test_percentiles_stay_within_a_bucket(manager, alice):
    """Arbitrary answer times: the median and 90th percentile within 10 % of exact."""
    rng = random.Random(7)
    started = NOW - dt.timedelta(days=1)
    for _ in range(300):
        ticket = TicketFactory(requester=alice)
        _clock(
            ticket,
            kind=ClockKind.RESPONSE,
            tier=Tier.L1,
            started=started,
            minutes=rng.uniform(0.2, 900),
            outcome="met",
        )
    with time_machine.travel(NOW, tick=False):
        rollups_rebuild()
        new, old = _both(manager, zone="UTC", start=NOW.date(), end=NOW.date())
        new, old = _both(manager, zone="UTC", start=started.date(), end=NOW.date())
    got, exact = new["first_response_by_tier"][0], old["first_response_by_tier"][0]
    assert got["responses"] == exact["responses"] == 300
    assert got["median_minutes"] == pytest.approx(exact["median_minutes"], rel=0.1)
    assert got["p90_minutes"] == pytest.approx(exact["p90_minutes"], rel=0.1)


def test_rebuild_command_and_refresh_task(manager, desk):
    from reports.tasks import refresh_rollups

    with time_machine.travel(NOW, tick=False):
        call_command("rollups_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
        rows = Rollup.objects.count()
        assert rows and RollupState.objects.get().covered_from.year == 2000
        assert refresh_rollups() > 0  # the beat's task: the same rows again, no duplicates
        assert Rollup.objects.count() == rows


def test_no_reader_computes_history_live(manager, desk, django_assert_max_num_queries):
    """The live part is at most `live_limit()`: rows missing for the period (days before
    them, a beat stopped for days) are added once, by the first reader; the next reader of
    the same period reads them with the plain page's queries."""
    period = {"zone": "UTC", "start": dt.date(2026, 3, 30), "end": dt.date(2026, 4, 2)}
    earlier = NOW - dt.timedelta(days=2)
    with time_machine.travel(earlier, tick=False):
        rollups_refresh(days=1)
    state = RollupState.objects.get()
    assert state.covered_from == dt.date(2026, 3, 30) and state.covered_to == earlier
    with time_machine.travel(NOW, tick=False):
        # Two days behind: caught up from the last covered day before the figures are read.
        _assert_same(*_both(manager, **period))
        state.refresh_from_db()
        assert state.covered_to == NOW
        # A period starting before the rows: its days are added.
        longer = {**period, "start": dt.date(2026, 3, 18)}
        _assert_same(*_both(manager, **longer))
        state.refresh_from_db()
        assert state.covered_from == dt.date(2026, 3, 18)
        # Covered now: the state, the rollup rows and six small live queries (and the rest).
        with django_assert_max_num_queries(14):
            dashboard_figures(user=manager, start=longer["start"], end=longer["end"], now=NOW)
    assert live_limit() >= dt.timedelta(hours=1)
    with time_machine.travel(NOW + live_limit() - dt.timedelta(minutes=1), tick=False):
        _assert_same(*_both(manager, **longer))
        state.refresh_from_db()
        assert state.covered_to == NOW  # within the limit: the minutes since are live
