"""Queue views: shipped and saved ones, counts, sorting, the last used view remembered."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from desk.models import QueueMemory, SavedView
from desk.services.tags import tag_create, ticket_set_tags
from sla.models import Clock
from sla.services.sync import sync_ticket_sla
from tests.web.conftest import give_clock
from tickets.models import Status
from tickets.services import ticket_assign, ticket_change_status

pytestmark = pytest.mark.django_db


def refs(response):
    return re.findall(r'data-reference="(HD-\d+)"', response.content.decode())


def counts(response):
    html = response.content.decode()
    return {
        key: int(n)
        for key, n in re.findall(
            r'data-view="([\w-]+)"[^>]*>[^<]*<span class="count">\((\d+)\)', html
        )
    }


@pytest.fixture
def tickets(alice, victor, l1tech, make_ticket):
    mine = make_ticket(alice, "Mine")
    ticket_assign(ticket=mine, actor=l1tech, assignee=l1tech)
    waiting = make_ticket(alice, "Waiting")
    ticket_change_status(ticket=waiting, actor=l1tech, status=Status.PENDING_CUSTOMER)
    vip = make_ticket(victor, "Boss")
    late = make_ticket(alice, "Late")
    clock = give_clock(late, due_in=-timedelta(minutes=5))
    Clock.objects.filter(pk=clock.pk).update(breached_at=clock.due_at)
    sync_ticket_sla(ticket=late)
    return {"mine": mine, "waiting": waiting, "vip": vip, "late": late}


def test_shipped_views_and_counts(client, l1tech, tickets):
    client.force_login(l1tech)
    response = client.get(reverse("queue"))
    assert counts(response) == {"mine": 1, "unassigned": 3, "breached": 1, "waiting": 1, "vip": 1}
    for key, ticket in (
        ("mine", "mine"),
        ("waiting", "waiting"),
        ("vip", "vip"),
        ("breached", "late"),
    ):
        assert refs(client.get(reverse("queue"), {"view": key})) == [tickets[ticket].reference]


def test_saved_view_is_private_reused_and_remembered(client, l1tech, l2tech, tickets):
    client.force_login(l1tech)
    response = client.post(
        reverse("queue-view-save"), {"name": "Alice by age", "query": "q=a&sort=-created"}
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"view=saved-{view.pk}")
    listed = refs(client.get(reverse("queue"), {"view": f"saved-{view.pk}"}))
    assert listed == [tickets["late"].reference, tickets["waiting"].reference]  # "a", newest first
    # Coming back to the bare queue opens the last used view.
    assert refs(client.get(reverse("queue"))) == listed
    client.force_login(l2tech)
    assert f"saved-{view.pk}" not in client.get(reverse("queue")).content.decode()
    assert client.post(reverse("queue-view-delete", args=[view.pk])).status_code == 404
    assert client.post(reverse("queue-view-save"), {"name": "", "query": ""}).status_code == 400


def test_sortable_columns_and_tag_filter(client, l1tech, manager, tickets):
    client.force_login(l1tech)
    by_ref = refs(client.get(reverse("queue"), {"sort": "reference", "tier": "L1"}))
    assert by_ref == sorted(by_ref)
    assert refs(client.get(reverse("queue"), {"sort": "-reference", "tier": "L1"})) == by_ref[::-1]
    tag_create(actor=manager, name="Printer")
    ticket_set_tags(ticket=tickets["vip"], actor=l1tech, names=["Printer"])
    assert refs(client.get(reverse("queue"), {"tag": "printer"})) == [tickets["vip"].reference]


@pytest.mark.parametrize("saved", [1, 6])
def test_queue_with_views_query_count(client, l1tech, tickets, saved, django_assert_num_queries):
    for n in range(saved):
        SavedView.objects.create(user=l1tech, name=f"View {n}", filters={"q": str(n)})
    QueueMemory.objects.create(user=l1tech, view="vip")
    client.force_login(l1tech)
    # session, user, saved views, remembering the chosen one, count, rows, organisations,
    # every view's count in one query, tag names, the staff a bulk action can assign to
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(11):
        response = client.get(reverse("queue"), {"view": "mine"})
    assert len(counts(response)) == 5 + saved
