"""The demo desk (seed_demo --tickets N): 90 days that look like a help desk's, whose
deadlines the real sweep agrees with, and that do not flood the sweep after start."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Role, User
from escalation.demo import seed_desk
from escalation.models import Escalation, EscalationKind
from escalation.services.sweep import escalation_sweep
from reports.models import Rollup, RollupState
from reports.selectors import dashboard_figures
from reports.services import rollups_rebuild
from sla.models import Clock, ClockPause
from tickets.models import EventKind, Reply, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)  # a Tuesday morning


@pytest.fixture
def seeded():
    with time_machine.travel(NOW, tick=False):
        seed_desk(300, seed=11)
    return NOW


def test_tickets_spread_over_the_quarter_with_believable_lives(seeded):
    tickets = list(Ticket.objects.all())
    assert len(tickets) == 300
    days = {t.created_at.astimezone(BERLIN).date() for t in tickets}
    assert len(days) >= 60
    assert all(NOW - dt.timedelta(days=91) < t.created_at < NOW for t in tickets)
    weekend = [t for t in tickets if t.created_at.astimezone(BERLIN).weekday() >= 5]
    assert len(weekend) < len(tickets) * 0.1
    assert not TicketEvent.objects.filter(created_at__gt=NOW).exists()
    statuses = {t.status for t in tickets}
    assert {Status.CLOSED, Status.RESOLVED, Status.OPEN} <= statuses
    assert {t.priority for t in tickets} == {"P1", "P2", "P3", "P4"}
    assert {t.tier for t in tickets} == {"L1", "L2", "L3"}
    assert len({t.organisation_id for t in tickets}) >= 4
    assert any(t.is_vip for t in tickets)
    assert any(t.requester.language == "de" for t in tickets)
    replies = Reply.objects.select_related("author")
    assert replies.filter(author__role=Role.CUSTOMER).exists()
    assert replies.filter(author__role=Role.TECHNICIAN, internal=False).exists()
    assert replies.filter(internal=True).exists()
    assert ClockPause.objects.filter(ended_at__isnull=False).exists()
    # Customers' messages were owed answers: met mostly, some late, a few still owed.
    answers = Clock.objects.filter(kind="next_response")
    assert answers.filter(met_at__isnull=False).count() > answers.count() / 2
    assert answers.filter(breached_at__isnull=False).exists()
    manual = Escalation.objects.filter(kind=EscalationKind.MANUAL)
    assert manual.exists() and all(len(e.note) > 50 for e in manual)
    assert Escalation.objects.filter(kind=EscalationKind.BREACH, to_tier="L2").exists()
    # Whoever handed a ticket up keeps reading it (participation, as the services record it).
    handed = manual.filter(from_tier="L1").select_related("actor", "ticket")
    assert handed and all(
        Ticket.objects.visible_to(e.actor).filter(pk=e.ticket_id).exists() for e in handed
    )
    rated = [t for t in tickets if t.satisfaction_rating]
    assert rated and any(t.satisfaction_comment for t in rated)
    reopened = TicketEvent.objects.filter(kind=EventKind.STATUS, before__status=Status.RESOLVED)
    assert reopened.filter(after__status=Status.OPEN).exists()
    # Replies and events happen after the ticket was filed, in the order they were made.
    for reply in replies.select_related("ticket")[:200]:
        assert reply.ticket.created_at <= reply.created_at <= NOW


def test_the_sweep_agrees_with_the_history_and_nothing_floods(seeded):
    before = Clock.objects.filter(breached_at__isnull=False).count()
    assert before > 0
    with time_machine.travel(NOW, tick=False):
        result = escalation_sweep(queue=False)
    # The history already holds every warning and breach due by now: the sweep finds none.
    assert (result.warnings, result.breaches, result.escalations) == (0, 0, 0)
    assert Clock.objects.filter(breached_at__isnull=False).count() == before
    with time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False):
        escalation_sweep(queue=False)
    assert Clock.objects.filter(breached_at__gte=NOW).count() <= 3
    # The open tickets' deadlines are spread out: no hour of the next day holds most of them.
    due = list(Clock.objects.running().filter(breached_at=None).values_list("due_at", flat=True))
    assert len(due) >= 5
    hours = {d.replace(minute=0, second=0, microsecond=0) for d in due}
    assert len(hours) >= len(due) // 3


def test_the_dashboard_has_history(seeded):
    rollups_rebuild(now=NOW)  # as seed_demo does after seeding
    manager = User.objects.get(username="manager")
    figures = dashboard_figures(
        user=manager, start=(NOW - dt.timedelta(days=89)).date(), end=NOW.date(), now=NOW
    )
    breach_days = [d for d in figures["breaches_per_day"] if d["breaches"]]
    assert len(breach_days) >= 15
    assert sum(row["clocks"] for row in figures["compliance_by_tier"]) > 200
    assert any(row["responses"] for row in figures["first_response_by_tier"])
    assert any(row["escalated"] for row in figures["escalation_rates"])
    assert figures["csat_by_tier"] and figures["csat_comments"]


def _snapshot():
    return [
        (
            t.subject,
            t.requester.username,
            t.created_at,
            t.status,
            t.tier,
            t.priority,
            t.satisfaction_rating,
            t.next_due_at,
            tuple(t.events.order_by("created_at", "id").values_list("kind", flat=True)),
        )
        for t in Ticket.objects.select_related("requester").order_by("created_at", "id")
    ]


def test_seeding_is_deterministic_for_a_seed():
    seed_desk(80, seed=5, now=NOW)
    first = _snapshot()
    Ticket.objects.all().delete()
    seed_desk(80, seed=5, now=NOW)
    assert _snapshot() == first
    Ticket.objects.all().delete()
    seed_desk(80, seed=6, now=NOW)
    assert _snapshot() != first


def test_command_seeds_an_empty_desk_once(capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", tickets=40, seed=3)
        assert Ticket.objects.count() == 40
        call_command("seed_demo")  # tickets exist: the start script's run changes nothing
    assert Ticket.objects.count() == 40
    assert User.objects.filter(username="jbecker", language="de").exists()
    # The dashboard's rollups cover the seeded history.
    assert {state.covered_to for state in RollupState.objects.all()} == {NOW}
    assert Rollup.objects.filter(day__lt=(NOW - dt.timedelta(days=30)).date()).exists()
    assert "Added 40 tickets" in capsys.readouterr().out
