"""Who worked on a ticket is written with the work, one statement per batch, and is what
keeps a ticket readable for them after it moves on (no scan of the history)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Tier
from escalation.services.manual import ticket_deescalate, ticket_escalate
from tests.factories import TechnicianFactory
from tickets.models import Participation, Ticket
from tickets.services import (
    ticket_assign,
    ticket_create,
    ticket_move_tier,
    ticket_reply,
    tickets_add_note,
)

pytestmark = pytest.mark.django_db

NOTE = "Checked the VPN logs and reinstalled the client; fails on Wi-Fi only."


def flags(ticket, user) -> int:
    return Participation.objects.get(ticket=ticket, user=user).how


def participation_writes(queries) -> list[str]:
    table = Participation._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"] and "INSERT" in q["sql"].upper()]


@pytest.fixture
def ticket(alice):
    return ticket_create(requester=alice, subject="VPN drops", description="Every hour.")


def test_each_kind_of_work_is_recorded_with_its_flag(ticket, alice, l1tech, l2tech, manager):
    ticket_reply(ticket=ticket, author=l1tech, body="Looking into it")
    ticket_reply(ticket=ticket, author=l1tech, body="Logs checked", internal=True)
    ticket_reply(ticket=ticket, author=alice, body="Thanks")
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    ticket_assign(ticket=ticket, actor=manager, assignee=l2tech)
    ticket_deescalate(ticket=ticket, actor=l2tech, tier=Tier.L1, reason="Needs L1 follow-up")
    assert flags(ticket, l1tech) == (
        Participation.REPLIED | Participation.NOTED | Participation.ESCALATED
    )
    assert flags(ticket, l2tech) == Participation.ASSIGNED | Participation.DEESCALATED
    assert flags(ticket, manager) == Participation.ASSIGNED
    # Customers are the requester's side, never participants.
    assert not Participation.objects.filter(user=alice).exists()


def test_repeat_work_keeps_first_moves_last(ticket, l1tech):
    ticket_reply(ticket=ticket, author=l1tech, body="One")
    first = Participation.objects.get(ticket=ticket, user=l1tech)
    ticket_reply(ticket=ticket, author=l1tech, body="Two", internal=True)
    again = Participation.objects.get(ticket=ticket, user=l1tech)
    assert Participation.objects.filter(ticket=ticket).count() == 1
    assert again.first_at == first.first_at and again.last_at > first.last_at
    assert again.how == Participation.REPLIED | Participation.NOTED


def test_a_bulk_note_writes_all_participations_in_one_statement(alice, l1tech):
    tickets = [ticket_create(requester=alice, subject=f"T{i}", description="x") for i in range(5)]
    with CaptureQueriesContext(connection) as queries:
        tickets_add_note(tickets=tickets, author=l1tech, body="Same note everywhere")
    assert len(participation_writes(queries.captured_queries)) == 1
    assert Participation.objects.filter(user=l1tech).count() == 5


@pytest.mark.parametrize("action", ["reply", "assign", "escalate"])
def test_single_actions_write_one_participation_statement(ticket, l1tech, action):
    with CaptureQueriesContext(connection) as queries:
        if action == "reply":
            ticket_reply(ticket=ticket, author=l1tech, body="On it")
        elif action == "assign":
            ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
        else:
            ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    assert len(participation_writes(queries.captured_queries)) == 1


def test_system_moves_record_nobody(ticket, l1tech):
    ticket_assign(ticket=ticket, actor=l1tech, assignee=l1tech)
    with CaptureQueriesContext(connection) as queries:
        ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L2, reason="Response breach")
    assert participation_writes(queries.captured_queries) == []
    ticket.refresh_from_db()
    assert ticket.assignee is None  # released by the move, and still a participant:
    assert Ticket.objects.visible_to(l1tech).filter(pk=ticket.pk).exists()


def test_scoping_participant_sees_handed_off_others_do_not(client, ticket, alice, bob, l1tech):
    untouched_l1 = TechnicianFactory(username="l1other", tier=Tier.L1)
    ticket_escalate(ticket=ticket, actor=l1tech, handoff_note=NOTE)
    url = reverse("ticket-detail", args=[ticket.reference])
    api = f"/api/v1/tickets/{ticket.pk}/"
    for user, page in ((l1tech, 200), (alice, 200), (untouched_l1, 404), (bob, 404)):
        client.force_login(user)
        assert client.get(url).status_code == page, user
        assert client.get(api).status_code == page, user
    assert list(Ticket.objects.visible_to(alice)) == [ticket]
    assert not Ticket.objects.visible_to(bob).exists()


def test_backfill_from_history(ticket, alice, l1tech, l2tech, manager):
    other = ticket_create(requester=alice, subject="Other", description="x")
    ticket_reply(ticket=ticket, author=l1tech, body="Answer")
    ticket_assign(ticket=other, actor=manager, assignee=l2tech)
    ticket_reply(ticket=other, author=alice, body="Customer words")
    expected = set(Participation.objects.values_list("ticket_id", "user_id", "how"))
    Participation.objects.all().delete()
    migration = importlib.import_module("tickets.migrations.0007_participation")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.backfill(apps, editor)
    assert set(Participation.objects.values_list("ticket_id", "user_id", "how")) == expected
    assert expected == {
        (ticket.pk, l1tech.pk, Participation.REPLIED),
        (other.pk, manager.pk, Participation.ASSIGNED),
        (other.pk, l2tech.pk, Participation.ASSIGNED),
    }


@pytest.mark.postgres
def test_visible_to_probes_the_participation_index(ticket, l1tech):
    from tests.web.test_queue_index import plan

    explained = plan(Ticket.objects.visible_to(l1tech).order_by("-created_at", "-id")[:25])
    assert "participation_once" in explained or "participation_user_ticket" in explained
    assert "tickets_ticketevent" not in explained
