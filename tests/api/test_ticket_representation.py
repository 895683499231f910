"""The ticket list builds each row directly instead of walking DRF's fields: the answer must be
exactly what the generic walk gives, for every viewer, in any time zone, for any shape."""

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.v1.serializers.people import UserRefSerializer
from api.v1.serializers.tickets import TicketSerializer
from sla.selectors import annotate_sla
from tests.factories import CategoryFactory, TicketFactory
from tickets.models import Status, Ticket
from tickets.selectors import ticket_list

pytestmark = pytest.mark.django_db


def _request(user) -> Request:
    request = Request(APIRequestFactory().get("/api/v1/tickets/"))
    request.user = user
    return request


@pytest.fixture
def shapes(alice, bob, l1tech, l2tech):
    now = timezone.now()
    return [
        TicketFactory(requester=alice),
        TicketFactory(
            requester=alice,
            assignee=l1tech,
            category=CategoryFactory(),
            is_vip=True,
            status=Status.OPEN,
            response_due_at=now + timedelta(hours=2),
            resolution_due_at=now + timedelta(days=1),
            next_response_due_at=now + timedelta(minutes=30),
            satisfaction_rating=4,
        ),
        TicketFactory(requester=bob, assignee=l2tech, sla_breached=True, tier="L2"),
        TicketFactory(requester=l1tech, organisation=None, sla_paused=True),
    ]


@pytest.mark.parametrize("viewer", ["alice", "l1tech", "manager"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns"])
def test_a_row_is_what_the_generic_walk_gives(request, shapes, viewer, zone):
    user = request.getfixturevalue(viewer)
    context = {"request": _request(user)}
    rows = list(annotate_sla(ticket_list(user=user)).order_by("id"))
    assert rows
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for ticket in [*rows, Ticket.objects.get(pk=rows[0].pk)]:  # annotated or not
            direct = TicketSerializer(ticket, context=context).data
            generic = serializers.ModelSerializer.to_representation(
                TicketSerializer(context=context), ticket
            )
            assert list(direct.items()) == list(generic.items())


@pytest.mark.parametrize("viewer", ["alice", "l1tech"])
def test_a_person_is_what_the_generic_walk_gives(request, alice, l1tech, viewer):
    context = {"request": _request(request.getfixturevalue(viewer))}
    for person in (alice, l1tech):
        direct = UserRefSerializer(person, context=context).data
        if person.is_support_staff and viewer == "alice":
            assert direct == {"id": None, "username": None, "name": "Support"}
            continue
        generic = serializers.ModelSerializer.to_representation(
            UserRefSerializer(context=context), person
        )
        assert list(direct.items()) == list(generic.items())
