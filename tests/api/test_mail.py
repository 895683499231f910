"""Managers configure mailboxes over the API; the password goes in, never out."""

import pytest

from mail.crypto import decrypt_secret
from mail.models import Mailbox
from mail.services.inbound import inbound_mail_receive
from tests.mail.mails import mail

pytestmark = pytest.mark.django_db

BOX = {
    "name": "Support",
    "host": "imap.example.com",
    "port": 993,
    "security": "ssl",
    "username": "support",
    "password": "s3cret-imap",
    "unknown_senders": "refuse",
}


def test_manager_creates_and_edits_a_mailbox_password_never_returned(api, manager, acme):
    client = api(manager)
    created = client.post("/api/v1/mailboxes/", BOX, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "password" not in body and body["has_password"] is True
    assert "s3cret" not in created.content.decode()
    box = Mailbox.objects.get()
    assert decrypt_secret(box.password_encrypted) == "s3cret-imap"
    changed = client.patch(
        f"/api/v1/mailboxes/{box.pk}/",
        {"unknown_senders": "create", "organisation": acme.pk},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    box.refresh_from_db()
    assert box.unknown_senders == "create"
    assert decrypt_secret(box.password_encrypted) == "s3cret-imap"


@pytest.mark.parametrize(
    "change",
    [
        {"port": 0},
        {"port": 70000},
        {"security": "rot13"},
        {"priority": "P1"},
        {"unknown_senders": "create"},  # without an organisation
        {"password": ""},
        {"host": "a\x00b"},
    ],
)
def test_bad_mailbox_is_a_clear_400_and_changes_nothing(api, manager, change):
    response = api(manager).post("/api/v1/mailboxes/", {**BOX, **change}, format="json")
    assert response.status_code == 400, response.content
    assert not Mailbox.objects.exists()


def test_only_managers_see_mailboxes_and_received_mail(api, alice, l2tech):
    for user in (alice, l2tech):
        assert api(user).get("/api/v1/mailboxes/").status_code == 403
        assert api(user).get("/api/v1/received-mails/").status_code == 403


def test_quarantine_is_listed_with_reasons(api, manager):
    from mail.services.mailboxes import mailbox_save

    box = mailbox_save(actor=manager, name="B", host="h", username="u", password="p")
    inbound_mail_receive(mailbox=box, raw=mail(sender=""))
    response = api(manager).get("/api/v1/received-mails/?outcome=quarantined")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert "no usable From" in row["reason"]
    assert api(manager).get("/api/v1/received-mails/?outcome=nonsense").status_code == 400
