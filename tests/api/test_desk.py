"""Canned replies, merge, links, watchers and tags through the API."""

import pytest

from desk.services.macros import macro_save
from desk.services.tags import tag_create, ticket_set_tags
from tickets.models import Status, Ticket, Watcher
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def file(user, subject="VPN down"):
    return ticket_create(requester=user, subject=subject, description="Help.")


def as_user(client, user):
    client.force_login(user)
    return client


def test_macros_list_private_and_apply(client, alice, l1tech, l2tech, manager):
    shared = macro_save(actor=manager, name="Welcome", shared=True, body="Hi {requester_name}")
    macro_save(actor=l2tech, name="Mine only", body="x")
    ticket = file(alice)
    data = as_user(client, l1tech).get("/api/v1/macros/").json()
    assert [m["name"] for m in data["results"]] == ["Welcome"]
    assert as_user(client, alice).get("/api/v1/macros/").status_code == 403
    client.force_login(l1tech)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/macros/{shared.pk}/apply/",
        {},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["body"] == "Hi alice"
    mine = macro_save(actor=l2tech, name="Other", body="y")
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/macros/{mine.pk}/apply/", {}, content_type="application/json"
    )
    assert response.status_code == 404


def test_merge_api_and_across_organisations_refused(client, alice, bob, gina, l1tech):
    original, duplicate, foreign = file(alice), file(bob), file(gina)
    client.force_login(l1tech)
    response = client.post(
        f"/api/v1/tickets/{foreign.pk}/merge/", {"original": original.pk}, "application/json"
    )
    assert response.status_code == 400 and "original" in response.json()["fields"]
    response = client.post(
        f"/api/v1/tickets/{duplicate.pk}/merge/", {"original": original.pk}, "application/json"
    )
    assert response.status_code == 200
    assert response.json()["links"] == [
        {
            "kind": "duplicated_by",
            "ticket": duplicate.pk,
            "reference": duplicate.reference,
            "subject": duplicate.subject,
        }
    ]
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.CLOSED
    client.force_login(bob)  # the duplicate's requester follows the original
    assert client.get(f"/api/v1/tickets/{original.pk}/").status_code == 200


def test_links_api_shows_on_both(client, alice, l1tech):
    one, two = file(alice, "One"), file(alice, "Two")
    client.force_login(l1tech)
    response = client.post(
        f"/api/v1/tickets/{one.pk}/links/", {"target": two.pk, "kind": "child"}, "application/json"
    )
    assert response.status_code == 201 and response.json()[0]["kind"] == "child_of"
    links = client.get(f"/api/v1/tickets/{two.pk}/links/").json()
    assert [(link["kind"], link["ticket"]) for link in links] == [("parent_of", one.pk)]
    assert (
        client.post(
            f"/api/v1/tickets/{one.pk}/links/",
            {"target": 99999, "kind": "related"},
            "application/json",
        ).status_code
        == 400
    )


@pytest.mark.parametrize(("who", "code"), [("bob", 201), ("gina", 400), ("l1tech", 400)])
def test_watcher_permission_matrix(client, request, alice, who, code):
    ticket = file(alice)
    person = request.getfixturevalue(who)
    response = as_user(client, alice).post(
        f"/api/v1/tickets/{ticket.pk}/watchers/", {"user": person.pk}, "application/json"
    )
    assert response.status_code == code
    assert Watcher.objects.filter(ticket=ticket).exists() == (code == 201)


def test_customer_of_other_organisation_cannot_reach_ticket(client, alice, gina):
    ticket = file(alice)
    response = as_user(client, gina).post(
        f"/api/v1/tickets/{ticket.pk}/watchers/", {"user": gina.pk}, "application/json"
    )
    assert response.status_code == 404


def test_tags_filter_and_detail(client, alice, l1tech, manager):
    tag_create(actor=manager, name="VPN")
    tagged, other = file(alice, "Tagged"), file(alice, "Plain")
    ticket_set_tags(ticket=tagged, actor=l1tech, names=["vpn"])
    client.force_login(l1tech)
    ids = [t["id"] for t in client.get("/api/v1/tickets/?tag=vpn").json()["results"]]
    assert ids == [tagged.pk]
    assert client.get(f"/api/v1/tickets/{tagged.pk}/").json()["tags"] == ["VPN"]
    response = client.post(
        f"/api/v1/tickets/{other.pk}/tags/", {"tags": ["nope"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert as_user(client, alice).get("/api/v1/tickets/?tag=vpn").status_code == 400
    assert client.get(f"/api/v1/tickets/{tagged.pk}/").json()["tags"] == []


def test_unwatch_and_unlink(client, alice, bob, l1tech):
    ticket, other = file(alice), file(alice, "Other")
    client.force_login(alice)
    client.post(f"/api/v1/tickets/{ticket.pk}/watchers/", {"user": bob.pk}, "application/json")
    client.force_login(bob)
    assert client.delete(f"/api/v1/tickets/{ticket.pk}/watchers/{bob.pk}/").status_code == 204
    assert client.delete(f"/api/v1/tickets/{ticket.pk}/watchers/{bob.pk}/").status_code == 404
    client.force_login(l1tech)
    client.post(
        f"/api/v1/tickets/{ticket.pk}/links/",
        {"target": other.pk, "kind": "related"},
        "application/json",
    )
    assert client.delete(f"/api/v1/tickets/{other.pk}/links/{ticket.pk}/").status_code == 204
    assert client.get(f"/api/v1/tickets/{ticket.pk}/links/").json() == []
    assert client.delete(f"/api/v1/tickets/{other.pk}/links/{ticket.pk}/").status_code == 409
