"""Release API, pages and feed: every signed-in user sees published releases; managers publish."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from common.errors import ApplicationError
from escalation.models import Notification, NotificationKind
from escalation.services.preferences import notification_preference_set
from releases.models import Release
from releases.services import release_create, release_publish
from tests.factories import UserFactory, api_key
from tickets.models import Status
from tickets.services import ticket_create


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
        return client

    return make


def test_api_contract_create_publish_list(api, manager, alice, acme):
    UserFactory(username="contact", organisation=acme, is_organisation_contact=True)
    ticket = ticket_create(requester=alice, subject="Totals wrong", description="x")
    problem = (
        api(manager)
        .post(
            "/api/v1/problems/",
            {"title": "P", "description": "D", "workaround": "W"},
            format="json",
        )
        .json()
    )
    created = api(manager).post(
        "/api/v1/releases/",
        {
            "version": "3.0.1",
            "title": "Fixes",
            "notes": "n",
            "problems": [problem["id"]],
            "tickets": [ticket.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    release_id = created.json()["id"]
    assert api(alice).get("/api/v1/releases/").json()["results"] == []
    assert api(alice).get(f"/api/v1/releases/{release_id}/").status_code == 404
    assert api(alice).post(f"/api/v1/releases/{release_id}/publish/").status_code == 403
    published = api(manager).post(f"/api/v1/releases/{release_id}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = api(manager).post(f"/api/v1/releases/{release_id}/publish/")
    assert again.status_code == 409 and again.json()["code"] == "already_published"
    assert Notification.objects.filter(kind=NotificationKind.RELEASE).count() == 1
    listed = api(alice).get("/api/v1/releases/").json()["results"]
    assert [r["version"] for r in listed] == ["3.0.1"]
    detail = api(alice).get(f"/api/v1/releases/{release_id}/").json()
    assert detail["tickets"] == [] and detail["receipts"] == []
    assert api(manager).get(f"/api/v1/problems/{problem['id']}/").json()["status"] == "fixed"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    manager_view = api(manager).get(f"/api/v1/releases/{release_id}/").json()
    assert {r["organisation"] for r in manager_view["receipts"]} >= {"Acme Corp"}


def test_customers_cannot_prepare_releases(api, alice):
    answer = api(alice).post("/api/v1/releases/", {"version": "1", "title": "x"}, format="json")
    assert answer.status_code == 403 and not Release.objects.exists()


def test_release_notices_cannot_be_switched_off(alice):
    with pytest.raises(ApplicationError):
        notification_preference_set(user=alice, kind=NotificationKind.RELEASE, mail=False)


def test_pages_and_feed(client, manager, alice, django_assert_num_queries):
    ticket = ticket_create(requester=alice, subject="Totals wrong", description="x")
    draft = release_create(actor=manager, version="4.0", title="Draft only", notes="**new**")
    client.force_login(alice)
    assert "Draft only" not in client.get(reverse("releases")).content.decode()
    assert client.get(reverse("release-detail", args=[draft.pk])).status_code == 404
    release = release_create(
        actor=manager, version="4.1", title="Totals fixed", tickets=[ticket.pk]
    )
    client.force_login(manager)
    assert client.post(reverse("release-publish", args=[release.pk])).status_code == 302
    page = client.get(reverse("release-detail", args=[release.pk])).content.decode()
    assert 'data-testid="receipt"' in page
    client.force_login(alice)
    # session, user, count, page, the header's unread notices
    with django_assert_num_queries(5):
        html = client.get(reverse("releases")).content.decode()
    assert "Totals fixed" in html and 'data-testid="no-opt-out"' in html
    ticket_page = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert "Fixed in maintenance release 4.1" in ticket_page
    feed = client.get(reverse("release-feed"))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "4.1 Totals fixed" in body and "Draft only" not in body
    # Nobody who is not signed in reads the notes.
    client.logout()
    assert client.get(reverse("release-feed")).status_code == 302


def test_l2_prepares_but_cannot_publish_on_the_page(client, l2tech):
    client.force_login(l2tech)
    response = client.post(reverse("release-new"), {"version": "5.0", "title": "T", "tickets": ""})
    assert response.status_code == 302
    release = Release.objects.get()
    client.post(reverse("release-publish", args=[release.pk]))
    release.refresh_from_db()
    assert release.status == "draft"


def test_publish_in_german_tells_german_contacts_in_german(manager, gina, globex):
    UserFactory(
        username="kontakt", organisation=globex, is_organisation_contact=True, language="de"
    )
    release = release_create(actor=manager, version="6.0", title="Korrekturen")
    release_publish(release=release, actor=manager)
    row = Notification.objects.get(kind=NotificationKind.RELEASE)
    assert "steht jetzt allen Kunden zur Verfügung" in row.body
