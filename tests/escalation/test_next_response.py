"""A customer's reply reaches someone: the next-response clock warns and breaches through the
sweep and the rules, telling the assignee, or the ticket's tier group while unassigned."""

import pytest

from escalation.models import Escalation, EscalationKind, Notification, NotificationKind
from escalation.services.sweep import escalation_sweep
from sla.models import Clock, ClockKind, Target
from tickets.models import EventKind, Priority, Status, TicketEvent
from tickets.services import ticket_assign, ticket_change_status, ticket_create, ticket_reply
from web.history import describe

from .conftest import WARNING_PERCENT, minutes
from .helpers import notified

pytestmark = pytest.mark.django_db

ANSWER = 30  # minutes of next-response target (24×7), well inside L1's 60-minute response


@pytest.fixture
def answering(agreement):
    Target.objects.bulk_create(
        Target(agreement=agreement, kind=ClockKind.NEXT_RESPONSE, priority=p, minutes=ANSWER)
        for p in Priority.values
    )
    agreement.save()  # new updated_at: no process uses a cached table without them
    return agreement


@pytest.fixture
def ticket(alice, answering, staff, clock_at):
    clock_at()
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.")


def answer_clock(ticket):
    return Clock.objects.filter(ticket=ticket, kind=ClockKind.NEXT_RESPONSE).latest("cycle")


def sweep_at(clock_at, offset):
    clock_at(offset)
    return escalation_sweep()


def test_unassigned_ticket_tells_the_tier_group_at_warning_and_breach(ticket, alice, clock_at):
    clock_at(minutes(5))
    ticket_reply(ticket=ticket, author=alice, body="It dropped again.")
    clock = answer_clock(ticket)
    assert clock.due_at == clock.started_at + minutes(ANSWER)
    warn = 5 + ANSWER * WARNING_PERCENT / 100

    assert sweep_at(clock_at, minutes(warn - 1)).warnings == 0
    result = sweep_at(clock_at, minutes(warn))
    assert (result.warnings, result.notifications) == (1, 1)
    assert notified(ticket, f"clock:{clock.pk}:warning") == {
        ("l1tech", NotificationKind.ANSWER_OWED)
    }
    mail = Notification.objects.get(cause_key=f"clock:{clock.pk}:warning")
    assert mail.subject == f"[{ticket.reference}] Answer due soon: VPN drops"
    assert "waiting for an answer since" in mail.body and "next_response" not in mail.body

    result = sweep_at(clock_at, minutes(5 + ANSWER))
    assert (result.breaches, result.escalations, result.notifications) == (1, 0, 1)
    assert notified(ticket, f"clock:{clock.pk}:breach") == {
        ("l1tech", NotificationKind.ANSWER_OWED)
    }
    assert (
        "Answer overdue" in Notification.objects.get(cause_key=f"clock:{clock.pk}:breach").subject
    )
    ticket.refresh_from_db()
    assert ticket.tier == "L1" and ticket.sla_breached  # told, not moved
    record = Escalation.objects.get(clock=clock, kind=EscalationKind.BREACH)
    assert record.note == "Next response breach: tell the assignee (or the tier group)"
    breached = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CLOCK_BREACHED)
    assert describe(breached) == "SLA breached: next response to the customer"


def test_assigned_ticket_tells_the_assignee_only(ticket, alice, l1tech, clock_at):
    ticket = ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    clock = answer_clock(ticket)
    sweep_at(clock_at, minutes(ANSWER * WARNING_PERCENT / 100))
    sweep_at(clock_at, minutes(ANSWER))
    assert notified(ticket, f"clock:{clock.pk}:") == {("l1tech", NotificationKind.ANSWER_OWED)}
    assert Notification.objects.filter(cause_key__startswith=f"clock:{clock.pk}:").count() == 2


def test_exactly_once_with_two_sweeps(ticket, alice, clock_at):
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    clock_at(minutes(ANSWER))
    first = escalation_sweep(use_lock=False)
    second = escalation_sweep(use_lock=False)
    assert (first.breaches, first.warnings) == (1, 0)  # overdue: the stale warning is skipped
    assert (second.breaches, second.warnings, second.notifications) == (0, 0, 0)
    clock = answer_clock(ticket)
    assert Escalation.objects.filter(clock=clock).count() == 1
    assert Notification.objects.filter(cause_key__startswith=f"clock:{clock.pk}:").count() == 1


def test_a_public_staff_reply_in_time_wins_and_a_note_does_not(ticket, alice, l1tech, clock_at):
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    clock_at(minutes(10))
    ticket_reply(ticket=ticket, author=l1tech, body="Checking", internal=True)
    assert answer_clock(ticket).is_running
    ticket_reply(ticket=ticket, author=l1tech, body="Please reconnect now.")
    assert answer_clock(ticket).met_at is not None
    result = sweep_at(clock_at, minutes(ANSWER + 1))
    assert (result.warnings, result.breaches) == (0, 0)


def test_paused_clock_does_not_breach(ticket, alice, l1tech, clock_at):
    ticket_reply(ticket=ticket, author=l1tech, body="Which office are you in?")
    ticket_reply(ticket=ticket, author=alice, body="Berlin, but it also fails at home.")
    clock_at(minutes(10))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    assert sweep_at(clock_at, minutes(ANSWER + 60)).breaches == 0
    assert answer_clock(ticket).breached_at is None
    # 80 minutes paused (from 10 to 90): the reply resumes the same clock, 80 minutes later.
    ticket_reply(ticket=ticket, author=alice, body="Logs attached.")
    clock = answer_clock(ticket)
    assert (clock.cycle, clock.due_at) == (1, clock.started_at + minutes(ANSWER + 80))
    assert sweep_at(clock_at, minutes(ANSWER + 80 - 1)).breaches == 0
    assert sweep_at(clock_at, minutes(ANSWER + 80)).breaches == 1


def test_reopened_ticket_owes_an_answer(ticket, alice, l1tech, clock_at):
    ticket_reply(ticket=ticket, author=l1tech, body="Fixed.")
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    clock_at(minutes(60))
    ticket_change_status(ticket=ticket, actor=alice, status=Status.OPEN)
    clock = answer_clock(ticket)
    assert clock.started_at == ticket.created_at + minutes(60)
    assert sweep_at(clock_at, minutes(60 + ANSWER)).breaches == 1
    assert notified(ticket, f"clock:{clock.pk}:breach") == {
        ("l1tech", NotificationKind.ANSWER_OWED)
    }


def test_a_german_reader_gets_german_words(ticket, alice, l1tech, clock_at):
    l1tech.language = "de"
    l1tech.save(update_fields=["language"])
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    clock = answer_clock(ticket)
    sweep_at(clock_at, minutes(ANSWER))
    mail = Notification.objects.get(cause_key=f"clock:{clock.pk}:breach")
    assert mail.subject == f"[{ticket.reference}] Antwort überfällig: VPN drops"
    assert "Der Kunde wartet seit" in mail.body
