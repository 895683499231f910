"""Canned replies (placeholders, translations, actions, privacy) and tags."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ApplicationError, NotAllowed, NotFound
from common.when import reader_zone, zoned_text
from desk.selectors import macro_get, macro_list
from desk.services.macros import macro_apply, macro_render, macro_save
from desk.services.tags import tag_create, ticket_set_tags
from tickets.models import Reply, Status, Tag, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def restart(manager):
    return macro_save(
        actor=manager,
        name="Restart router",
        shared=True,
        body="Hello {requester_name}, about {reference} “{subject}”: restart it. — "
        "{technician_name} {unknown}",
        translations={"de": "Hallo {requester_name}, zu {reference}: bitte neu starten."},
        set_status=Status.PENDING_CUSTOMER,
    )


def test_placeholders_filled_and_unknown_left(restart, alice, l1tech, make_ticket):
    l1tech.first_name = "Lena"
    ticket = make_ticket(alice, "Router blinks")
    text = macro_render(macro=restart, ticket=ticket, actor=l1tech)
    assert text == (
        f"Hello alice, about {ticket.reference} “Router blinks”: restart it. — Lena {{unknown}}"
    )


def test_requester_language_chosen_when_translated(restart, gina, l1tech, make_ticket):
    ticket = make_ticket(gina)  # gina reads German
    assert macro_render(macro=restart, ticket=ticket, actor=l1tech).startswith("Hallo gina, zu HD-")


def test_apply_sends_reply_and_sets_status(restart, alice, l1tech, make_ticket):
    ticket = make_ticket(alice)
    reply = macro_apply(macro=restart, ticket=ticket, actor=l1tech)
    ticket.refresh_from_db()
    assert not reply.internal and reply.body.startswith("Hello alice")
    assert ticket.status == Status.PENDING_CUSTOMER


def test_refused_action_sends_nothing(manager, alice, l1tech, make_ticket):
    macro = macro_save(actor=manager, name="Close", shared=True, body="Bye", set_status="resolved")
    ticket = make_ticket(alice)
    macro.set_status = "new"  # cannot go back to new
    macro.save()
    with pytest.raises(ApplicationError):
        macro_apply(macro=macro, ticket=ticket, actor=l1tech)
    assert not Reply.objects.exists()


def test_personal_macros_are_private(l1tech, l2tech, manager, alice, make_ticket):
    mine = macro_save(actor=l1tech, name="My greeting", body="Hi {requester_name}")
    assert list(macro_list(user=l1tech)) == [mine]
    assert list(macro_list(user=l2tech)) == []
    assert list(macro_list(user=manager)) == []
    assert list(macro_list(user=alice)) == []
    with pytest.raises(NotFound):
        macro_get(user=l2tech, macro_id=mine.pk)
    ticket = make_ticket(alice)
    with pytest.raises(NotFound):
        macro_apply(macro=mine, ticket=ticket, actor=l2tech)
    with pytest.raises(NotAllowed):
        macro_save(actor=l2tech, macro=mine, name="Taken", body="x")


def test_only_managers_manage_shared_macros(l1tech, alice, restart):
    with pytest.raises(NotAllowed):
        macro_save(actor=l1tech, name="Shared", body="x", shared=True)
    with pytest.raises(NotAllowed):
        macro_save(actor=l1tech, macro=restart, name="Changed", body="x", shared=True)
    with pytest.raises(NotAllowed):
        macro_save(actor=alice, name="Mine", body="x")
    with pytest.raises(ApplicationError):
        macro_save(actor=l1tech, name="", body="x")


def test_tags_from_the_list_only(manager, l1tech, alice, make_ticket):
    tag_create(actor=manager, name="Printer")
    tag_create(actor=manager, name="VPN")
    assert tag_create(actor=manager, name="printer").name == "Printer"
    with pytest.raises(NotAllowed):
        tag_create(actor=l1tech, name="Other")
    ticket = make_ticket(alice)
    assert ticket_set_tags(ticket=ticket, actor=l1tech, names=["printer", "VPN"]) == [
        "Printer",
        "VPN",
    ]
    with pytest.raises(ApplicationError):
        ticket_set_tags(ticket=ticket, actor=l1tech, names=["nope"])
    with pytest.raises(NotAllowed):
        ticket_set_tags(ticket=ticket, actor=alice, names=["VPN"])
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["Printer", "VPN"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="tags").count() == 1
    assert Tag.objects.count() == 2


def test_due_names_the_next_answer_owed_not_the_resolution(alice, l1tech, make_ticket):
    """Once the first response is given, {due} is when the customer is owed the next
    answer (what the portal shows as "Next answer by"), not the resolution deadline."""
    ticket = make_ticket(alice)
    macro = macro_save(actor=l1tech, name="Due", body="{due}")
    answer_by = timezone.now() + timedelta(hours=3)
    ticket.response_due_at = None
    ticket.next_response_due_at = answer_by
    ticket.resolution_due_at = answer_by + timedelta(days=2)
    with timezone.override(reader_zone(alice)):
        expected = zoned_text(answer_by)
    assert macro_render(macro=macro, ticket=ticket, actor=l1tech) == expected
