"""The manager's SLA dashboard: figures from the database, CSV, constant queries."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Tier
from escalation.services.manual import ticket_escalate
from reports.aggregates import percentile
from reports.selectors import dashboard_figures
from reports.services import rollups_rebuild
from sla.models import Clock, ClockKind
from tests.factories import OrganisationFactory, TicketFactory, UserFactory
from tests.web.conftest import give_clock
from tickets import events
from tickets.models import EventKind
from tickets.services import ticket_assign

pytestmark = pytest.mark.django_db
# session, user, rollup state, the summed rollup rows, the six live period queries (the
# minutes since the refresh), technician names, rating comments, the active-ticket counts
# (backlog and workload, one query), at risk, technicians, organisations for the filter,
# the unread notices in the page header
DASHBOARD_QUERIES = 16  # + 1 for the names of rated technicians when there are ratings
# The first page of a zone never refreshed: the refresh runs first, in its own transaction
# (state lock, rows of the days deleted, the six grouped queries, rows inserted, state).
FIRST_PAGE_QUERIES = DASHBOARD_QUERIES + 19
NOTE = "Checked DNS and the proxy; the customer confirms it fails on every machine."


def clock(ticket, *, tier, minutes, outcome, kind=ClockKind.RESPONSE, started=None):
    """A finished clock: `outcome` is met (on time), breached (answered late) or unanswered
    (breached, then handed to another tier without an answer)."""
    started = started or timezone.now() - timedelta(hours=6)
    ended = started + timedelta(minutes=minutes)
    late = outcome in ("breached", "unanswered")
    made = Clock.objects.create(
        ticket=ticket,
        kind=kind,
        tier=tier if kind == ClockKind.RESPONSE else "",
        cycle=Clock.objects.filter(ticket=ticket, kind=kind, tier=tier).count() + 1,
        target_minutes=30,
        started_at=started,
        due_at=started + timedelta(minutes=30),
        warn_at=started + timedelta(minutes=24),
        met_at=ended if outcome == "met" else None,
        breached_at=started + timedelta(minutes=30) if late else None,
        stopped_at=ended if late else None,
    )
    if outcome == "breached":  # the late answer's history entry, as clocks_meet_response writes
        events.record(
            ticket=ticket,
            kind=EventKind.CLOCK_MET,
            actor=None,
            after={"clock": made.pk, "kind": kind, "tier": made.tier, "late": True},
        )
    return made


@pytest.fixture
def history(alice):
    """L1: 4 met (10–40 min) + 1 breached (100 min); L2 (a P1 ticket): 1 met, 1 breached."""
    tickets = [TicketFactory(requester=alice, priority="P3") for _ in range(5)]
    for ticket, minutes in zip(tickets, (10, 20, 30, 40), strict=False):
        clock(ticket, tier="L1", minutes=minutes, outcome="met")
    clock(tickets[4], tier="L1", minutes=100, outcome="breached")
    urgent = TicketFactory(requester=alice, priority="P1", tier="L2")
    clock(urgent, tier="L2", minutes=5, outcome="met")
    clock(urgent, tier="L2", minutes=90, outcome="breached")
    return tickets + [urgent]


def figures(user, **kwargs):
    today = timezone.localdate()
    return dashboard_figures(user=user, start=today - timedelta(days=6), end=today, **kwargs)


def by(rows, key):
    return {row[key]: row for row in rows}


def test_compliance_per_tier_and_priority(manager, history):
    data = figures(manager)
    tiers = by(data["compliance_by_tier"], "tier")
    assert (tiers["L1"]["met"], tiers["L1"]["breached"], tiers["L1"]["percent_met"]) == (4, 1, 80.0)
    assert tiers["L2"]["percent_met"] == 50.0 and tiers["L3"]["percent_met"] is None
    priorities = by(data["compliance_by_priority"], "priority")
    assert priorities["P3"]["percent_met"] == 80.0 and priorities["P1"]["percent_met"] == 50.0
    days = by(data["breaches_per_day"], "day")
    assert len(days) == 7 and sum(d["breaches"] for d in days.values()) == 2


def test_first_response_median_and_p90_per_tier(manager, history):
    rows = by(figures(manager)["first_response_by_tier"], "tier")
    assert rows["L1"] == {
        "tier": "L1",
        "responses": 5,
        "median_minutes": 30.0,
        "p90_minutes": 76.0,
        "breached_unanswered": 0,
    }
    assert rows["L2"]["median_minutes"] == 47.5
    assert rows["L3"]["responses"] == 0 and rows["L3"]["median_minutes"] is None


def test_python_percentile_matches_percentile_cont():
    assert percentile([10, 20, 30, 40, 100], 0.5) == 30
    assert percentile([10, 20, 30, 40, 100], 0.9) == pytest.approx(76)
    assert percentile([], 0.5) is None


def test_escalation_rates_backlog_at_risk_workload(manager, alice, l1tech, make_ticket):
    tickets = [make_ticket(alice, subject=f"t{n}") for n in range(4)]
    ticket_escalate(ticket=tickets[0], actor=l1tech, handoff_note=NOTE)
    ticket_assign(ticket=tickets[1], actor=l1tech, assignee=l1tech)
    # Deadlines fixed relative to now, whatever the business calendar says at test time:
    # only tickets[2] is due within the hour.
    for ticket in tickets:
        ticket.refresh_from_db()
        due_in = timedelta(minutes=20) if ticket == tickets[2] else timedelta(days=2)
        give_clock(ticket, due_in=due_in)
        give_clock(ticket, due_in=timedelta(days=3), kind=ClockKind.RESOLUTION)
    data = figures(manager)
    rates = by(data["escalation_rates"], "from_tier")
    assert (rates["L1"]["entered"], rates["L1"]["escalated"], rates["L1"]["percent"]) == (
        4,
        1,
        25.0,
    )
    assert rates["L2"]["entered"] == 1 and rates["L2"]["escalated"] == 0
    backlog = by(data["backlog_by_age"], "tier")
    assert backlog["L1"]["age_under_1d"] == 3 and backlog["L2"]["total"] == 1
    assert [row["reference"] for row in data["at_risk"]] == [tickets[2].reference]
    workload = by(data["workload"], "technician")
    assert workload["l1tech"]["open"] == 1


def test_organisation_filter(manager, alice, history):
    other = UserFactory(username="carl", organisation=OrganisationFactory(name="Initech"))
    ticket = TicketFactory(requester=other)
    clock(ticket, tier="L1", minutes=50, outcome="breached")
    assert by(figures(manager)["compliance_by_tier"], "tier")["L1"]["breached"] == 2
    only = figures(manager, organisation=other.organisation)
    assert by(only["compliance_by_tier"], "tier")["L1"] == {
        "tier": "L1",
        "clocks": 1,
        "met": 0,
        "breached": 1,
        "percent_met": 0.0,
    }


def test_figures_are_plain_json(manager, history):
    data = figures(manager)
    assert json.loads(json.dumps(data)) == data


def test_only_managers(client, l2tech, alice, manager):
    from common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        figures(l2tech)
    for user in (alice, l2tech):
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 403


def test_page_shows_the_figures_and_csv_downloads(client, manager, history):
    client.force_login(manager)
    page = client.get(reverse("dashboard"))
    html = page.content.decode()
    assert "style-src 'self'" in page["Content-Security-Policy"] and "style=" not in html
    cells = re.sub(r"<a [^>]*>|</a>", "", html)  # every number is a link to its tickets
    assert '<tr data-key="L1"><th scope="row">L1</th><td>4</td><td>1</td>' in cells
    assert "80.0 %" in html
    response = client.get(reverse("dashboard"), {"format": "csv", "table": "compliance_by_tier"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0] == {
        "tier": "L1",
        "clocks": "5",
        "met": "4",
        "breached": "1",
        "percent_met": "80.0",
    }
    assert client.get(reverse("dashboard"), {"format": "csv", "table": "x"}).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("rolled_up", [False, True])
def test_dashboard_query_count_does_not_grow(
    client, manager, alice, l1tech, count, rolled_up, django_assert_num_queries
):
    for n in range(count):
        ticket = TicketFactory(requester=alice, assignee=l1tech, tier=Tier.L1)
        clock(
            ticket,
            tier="L1",
            minutes=n,
            outcome="met" if n % 2 else "breached",
            started=timezone.now() - timedelta(days=n % 10, hours=2),
        )
    if rolled_up:
        rollups_rebuild()
    client.force_login(manager)
    start = timezone.localdate() - timedelta(days=29)
    with django_assert_num_queries(DASHBOARD_QUERIES if rolled_up else FIRST_PAGE_QUERIES):
        response = client.get(reverse("dashboard"), {"start": start.isoformat()})
    assert response.status_code == 200
    with django_assert_num_queries(DASHBOARD_QUERIES):  # rolled up now, by the beat or above
        response = client.get(reverse("dashboard"), {"start": start.isoformat()})
    assert response.status_code == 200


def test_csv_cells_cannot_become_spreadsheet_formulas(client, manager, alice, make_ticket):
    ticket = make_ticket(alice, subject='=HYPERLINK("http://evil.example")')
    give_clock(ticket, due_in=timedelta(minutes=10))
    client.force_login(manager)
    response = client.get(reverse("dashboard"), {"format": "csv", "table": "at_risk"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["reference"] == ticket.reference
    assert rows[0]["subject"] == '\'=HYPERLINK("http://evil.example")'


def test_sweep_escalations_count_and_deescalations_do_not(manager, alice, l2tech, make_ticket):
    from escalation.services.manual import ticket_deescalate
    from escalation.services.sweep import escalation_sweep

    late, calm = make_ticket(alice, subject="late"), make_ticket(alice, subject="calm")
    give_clock(calm, due_in=timedelta(days=2))
    give_clock(late, due_in=timedelta(minutes=30))
    Clock.objects.filter(ticket=late, kind=ClockKind.RESPONSE).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    escalation_sweep(queue=False, use_lock=False)
    late.refresh_from_db()
    assert late.tier == Tier.L2  # the default rule moves an L1 response breach up
    ticket_deescalate(ticket=late, actor=l2tech, tier=Tier.L1, reason="Client-side issue.")
    rates = by(figures(manager)["escalation_rates"], "from_tier")
    # Entries are counted per event: two new tickets, and the late one back in L1.
    assert (rates["L1"]["entered"], rates["L1"]["escalated"], rates["L1"]["percent"]) == (
        3,
        1,
        33.3,
    )


def test_first_response_counts_answers_only_breaches_without_answer_apart(
    client, manager, alice, history, django_assert_num_queries
):
    # Three breached L1 clocks nobody answered (the sweep handed the tickets to L2).
    for _ in range(3):
        clock(TicketFactory(requester=alice), tier="L1", minutes=45, outcome="unanswered")
    rows = by(figures(manager)["first_response_by_tier"], "tier")
    assert (rows["L1"]["responses"], rows["L1"]["breached_unanswered"]) == (5, 3)
    assert rows["L1"]["median_minutes"] == 30.0  # the unanswered ones weigh nothing
    client.force_login(manager)
    client.get(reverse("dashboard"))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        html = client.get(reverse("dashboard")).content.decode()
    table = html[html.index('data-table="first_response_by_tier"') :]
    assert "Breached, never answered" in table
    row = re.sub(r"<a [^>]*>|</a>", "", table[table.index('data-key="L1"') :])
    assert '<td data-testid="responses">5</td>' in row
    assert '<td data-testid="breached-unanswered">3</td>' in row


def test_satisfaction_per_tier_and_technician_with_comments(
    client, manager, alice, l1tech, l2tech, django_assert_num_queries
):
    now = timezone.now()
    rated = [(l1tech, "L1", 5, "Quick and kind."), (l1tech, "L1", 2, ""), (l2tech, "L2", 4, "")]
    for assignee, tier, rating, comment in rated:
        TicketFactory(
            requester=alice,
            assignee=assignee,
            tier=tier,
            status="resolved",
            resolved_at=now - timedelta(days=1),
            satisfaction_rating=rating,
            satisfaction_comment=comment,
        )
    old = now - timedelta(days=30)
    TicketFactory(requester=alice, status="closed", resolved_at=old, satisfaction_rating=1)
    data = figures(manager)
    tiers = by(data["csat_by_tier"], "tier")
    assert tiers["L1"] == {"tier": "L1", "ratings": 2, "average": 3.5, "percent_satisfied": 50.0}
    assert tiers["L2"]["average"] == 4.0 and tiers["L3"]["ratings"] == 0
    people = by(data["csat_by_technician"], "technician")
    assert (people["l1tech"]["ratings"], people["l2tech"]["percent_satisfied"]) == (2, 100.0)
    assert [c["comment"] for c in data["csat_comments"]] == ["Quick and kind."]
    client.force_login(manager)
    client.get(reverse("dashboard"))
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        html = client.get(reverse("dashboard")).content.decode()
    assert "Customer satisfaction per tier" in html and "“Quick and kind.”" in html
