"""Ticket-page panels and actions of the technician tools, over HTTP."""

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from desk.services.links import ticket_link
from desk.services.macros import macro_save
from desk.services.tags import tag_create, ticket_set_tags
from desk.services.watchers import watcher_add
from tests.factories import UserFactory
from tickets.models import Reply, Status, Ticket, Watcher
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def url(ticket, name="ticket-detail", **kwargs):
    return reverse(name, kwargs={"reference": ticket.reference, **kwargs})


@pytest.mark.parametrize("rows", [1, 8])
def test_staff_page_with_panels_has_a_fixed_query_count(
    client, alice, bob, l1tech, manager, make_ticket, rows, django_assert_num_queries
):
    ticket = make_ticket(alice)
    tag_create(actor=manager, name="Printer")
    ticket_set_tags(ticket=ticket, actor=l1tech, names=["Printer"])
    for n in range(rows):
        other = make_ticket(alice, f"Other {n}")
        ticket_link(source=ticket, target=other, kind="related", actor=l1tech)
        macro_save(actor=l1tech, name=f"Macro {n}", body="Hi {requester_name}")
        watcher_add(ticket=ticket, actor=alice, user=UserFactory(organisation=alice.organisation))
    client.force_login(l1tech)
    # + known problems, release fixes, verify panel (articles any word, else trigram; similar
    # resolved tickets, open problems to link), mails received
    # The known-solutions panel searches articles on PostgreSQL only (one query fewer on SQLite).
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(25 if connection.vendor == "postgresql" else 24):
        response = client.get(url(ticket))
    html = response.content.decode()
    assert 'data-testid="requester-panel"' in html and "Other 0" in html
    assert 'data-testid="links"' in html and "Related to" in html
    assert '<span class="badge tag">Printer</span>' in html
    assert "Macro 0" in html and 'id="presence"' in html


def test_customer_sees_colleagues_not_staff_watchers_nor_staff_panels(
    client, alice, bob, l1tech, make_ticket
):
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=l1tech, user=l1tech)
    client.force_login(alice)
    html = client.get(url(ticket)).content.decode()
    assert "l1tech" not in html
    assert 'data-testid="requester-panel"' not in html and 'id="presence"' not in html
    assert 'data-testid="links"' not in html and "macro-search" not in html
    response = client.post(url(ticket, "ticket-watcher-add"), {"user": bob.pk})
    assert response.status_code == 302
    assert Ticket.objects.visible_to(bob).filter(pk=ticket.pk).exists()
    client.force_login(bob)
    assert "Copied in" in client.get(url(ticket)).content.decode()


def test_customer_of_another_organisation_is_refused(client, alice, gina, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    response = client.post(url(ticket, "ticket-watcher-add"), {"user": gina.pk})
    assert response.status_code == 400
    assert "organisation" in response.content.decode()
    assert not Watcher.objects.exists()
    # And gina cannot even reach the ticket.
    client.force_login(gina)
    assert client.post(url(ticket, "ticket-watcher-add"), {"follow": "1"}).status_code == 404


def test_merge_over_http_and_across_organisations_refused(
    client, alice, bob, gina, l1tech, make_ticket
):
    original, duplicate, foreign = make_ticket(alice), make_ticket(bob), make_ticket(gina)
    client.force_login(l1tech)
    response = client.post(url(foreign, "ticket-merge"), {"original": original.reference})
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.status == Status.NEW
    assert client.post(url(duplicate, "ticket-merge"), {"original": "HD-999999"}).status_code == 400
    response = client.post(url(duplicate, "ticket-merge"), {"original": original.reference})
    assert response.status_code == 302 and response["Location"] == url(original)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    html = client.get(url(original)).content.decode()
    assert "Merged from" in html and duplicate.reference in html


def test_macro_preview_is_private_and_apply_runs_the_actions(
    client, alice, l1tech, l2tech, make_ticket
):
    ticket = make_ticket(alice, "Wifi")
    macro = macro_save(
        actor=l1tech, name="Ask", body="Hi {requester_name}, re {subject}?", set_status="on_hold"
    )
    client.force_login(l2tech)
    assert client.get(url(ticket, "ticket-macro-preview", macro_id=macro.pk)).status_code == 404
    client.force_login(alice)
    assert client.get(url(ticket, "ticket-macro-preview", macro_id=macro.pk)).status_code == 403
    client.force_login(l1tech)
    data = client.get(url(ticket, "ticket-macro-preview", macro_id=macro.pk)).json()
    assert data["body"] == "Hi alice, re Wifi?"
    response = client.post(url(ticket, "ticket-macro-apply"), {"macro": macro.pk, "body": "Edited"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD and Reply.objects.get().body == "Edited"
    assert client.post(url(ticket, "ticket-macro-apply"), {"macro": "x"}).status_code == 400


def test_presence_shows_others_and_who_is_writing(client, alice, l1tech, l2tech, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    first = client.post(url(ticket, "ticket-presence"), {"writing": "1"}).json()
    assert first == {"available": True, "others": [], "latest_reply": 0}
    reply = ticket_reply(ticket=ticket, author=alice, body="More info")
    client.force_login(l2tech)
    data = client.post(url(ticket, "ticket-presence")).json()
    assert data["others"] == [{"name": "l1tech", "writing": True}]
    assert data["latest_reply"] == reply.pk
    client.force_login(alice)
    assert client.post(url(ticket, "ticket-presence")).status_code == 403


def test_presence_gone_after_thirty_seconds(client, alice, l1tech, l2tech, make_ticket):
    ticket = make_ticket(alice)
    with time_machine.travel("2026-12-01 10:00Z", tick=False) as traveller:
        client.force_login(l1tech)
        client.post(url(ticket, "ticket-presence"))
        traveller.shift(31)
        client.force_login(l2tech)
        assert client.post(url(ticket, "ticket-presence")).json()["others"] == []


def test_presence_survives_a_cache_outage(client, alice, l1tech, make_ticket, settings):
    ticket = make_ticket(alice)
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        },
    }
    # (pytest-django's settings fixture resets the cache handlers on change and back.)
    client.force_login(l1tech)
    response = client.post(url(ticket, "ticket-presence"), {"writing": "1"})
    assert response.status_code == 200
    assert response.json()["available"] is False


def test_panels_and_views_in_german(client, alice, l1tech, make_ticket):
    l1tech.language = "de"
    l1tech.save(update_fields=["language"])
    ticket = make_ticket(alice)
    client.force_login(l1tech)
    html = client.get(url(ticket)).content.decode()
    assert "Anfragende Person" in html and "Als Duplikat zusammenführen" in html
    assert "Tastenkürzel" in html
    queue = client.get(reverse("queue")).content.decode()
    assert "Meine offenen Tickets" in queue and "Wartet auf Kundschaft" in queue


def test_copied_in_colleague_reads_along_without_reply_box(client, alice, bob, make_ticket):
    ticket = make_ticket(alice)
    watcher_add(ticket=ticket, actor=alice, user=bob)
    client.force_login(bob)
    html = client.get(url(ticket)).content.decode()
    assert ticket.subject in html and 'id="reply-title"' not in html
    # Moving to another organisation ends what being copied in showed.
    other = bob.organisation.__class__.objects.create(name="Elsewhere")
    bob.organisation = other
    bob.save(update_fields=["organisation"])
    assert client.get(url(ticket)).status_code == 404
