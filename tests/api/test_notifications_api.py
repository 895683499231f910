"""/api/v1/notifications/: the caller's notices (others' are 404), unread count, marks,
and the same choices per kind and channel as the profile page."""

import pytest
import yaml

from escalation.models import MailMode, Notification, NotificationPreference, NotificationSettings
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(alice, l1tech, file_ticket):
    ticket = file_ticket(alice)
    for status in ("on_hold", "open", "pending_customer"):
        ticket_change_status(ticket=ticket, actor=l1tech, status=status)
    return ticket, list(Notification.objects.filter(recipient=alice).order_by("-created_at", "-id"))


def test_list_count_and_marks(api, alice, notices):
    ticket, rows = notices
    client = api(alice)
    listing = client.get("/api/v1/notifications/").json()
    assert [n["id"] for n in listing["results"]] == [r.pk for r in rows]
    first = listing["results"][0]
    assert first["kind"] == "status" and first["kind_label"] == "Status changed"
    assert first["ticket"] == {"id": ticket.pk, "reference": ticket.reference}
    assert "Waiting for customer" in first["subject"] and first["read"] is False
    assert client.get("/api/v1/notifications/unread-count/").json() == {
        "unread": 3,
        "capped": False,
        "cap": 99,
    }
    marked = client.post(f"/api/v1/notifications/{rows[0].pk}/read/")
    assert marked.status_code == 200 and marked.json()["read"] is True
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    assert [n["id"] for n in unread] == [r.pk for r in rows[1:]]
    assert client.post("/api/v1/notifications/read/").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count/").json()["unread"] == 0
    assert client.get("/api/v1/notifications/", {"pages": "2"}).status_code == 400


def test_another_users_notice_is_404(api, bob, notices):
    _, rows = notices
    client = api(bob)
    assert client.post(f"/api/v1/notifications/{rows[0].pk}/read/").status_code == 404
    assert client.get("/api/v1/notifications/").json()["results"] == []
    assert client.post("/api/v1/notifications/read/").json() == {"marked": 0}
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    assert api(None).get("/api/v1/notifications/").status_code == 401


def test_cursor_pages_cost_the_same_queries(api, alice, notices, django_assert_num_queries):
    _, rows = notices
    client = api(alice)
    # token (user joined), its last use, the page (tickets joined)
    with django_assert_num_queries(3):
        page = client.get("/api/v1/notifications/", {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    # the token's last use was marked a moment ago: nothing to write
    with django_assert_num_queries(2):
        rest = client.get(page["next"]).json()
    assert [n["id"] for n in rest["results"]] == [rows[2].pk]
    with django_assert_num_queries(2):
        client.get("/api/v1/notifications/unread-count/")


def test_preferences_per_kind_and_channel(api, alice, l1tech):
    customer = api(alice)
    shown = customer.get("/api/v1/notifications/preferences/").json()
    assert shown["mail_mode"] == "immediate"
    kinds = {k["kind"]: k for k in shown["kinds"]}
    assert set(kinds) == {"reply", "status", "release", "release_fixed"}
    assert kinds["release"]["mandatory"] is True and kinds["release"]["mail"] is True
    changed = customer.put(
        "/api/v1/notifications/preferences/",
        {"kinds": [{"kind": "status", "mail": False, "in_app": True}]},
        format="json",
    )
    assert changed.status_code == 200
    assert NotificationPreference.objects.get(user=alice, kind="status").mail is False
    # Refused, nothing changed: a mandatory kind off by e-mail, a kind customers never get,
    # a customer choosing a digest.
    for body in (
        {"kinds": [{"kind": "release", "mail": False, "in_app": True}]},
        {"kinds": [{"kind": "sla_breach", "mail": False, "in_app": False}]},
        {"mail_mode": "digest"},
    ):
        answer = customer.put("/api/v1/notifications/preferences/", body, format="json")
        assert answer.status_code == 400, body
    assert NotificationPreference.objects.filter(user=alice).count() == 1
    staff = api(l1tech)
    assert staff.get("/api/v1/notifications/preferences/").json()["mail_mode"] == "digest"
    staff.put("/api/v1/notifications/preferences/", {"mail_mode": "immediate"}, format="json")
    assert NotificationSettings.objects.get(user=l1tech).mail_mode == MailMode.IMMEDIATE


def test_schema_documents_the_notification_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]
    for path in (
        "/api/v1/notifications/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/notifications/read/",
        "/api/v1/notifications/{notification_id}/read/",
        "/api/v1/notifications/preferences/",
    ):
        assert path in paths, path
    listing = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert {"cursor", "page_size", "unread"} <= listing
