"""Managers configure a mailbox in the admin; the password is stored encrypted, never shown."""

import pytest

from mail.crypto import decrypt_secret
from mail.models import InboundMail, Mailbox, Outcome
from mail.services.inbound import inbound_mail_receive
from tests.mail.mails import mail

pytestmark = pytest.mark.django_db


def test_manager_adds_mailbox_password_encrypted_and_kept_on_edit(client, manager, acme):
    client.force_login(manager)
    form = {
        "name": "Support",
        "host": "imap.example.com",
        "port": 993,
        "security": "ssl",
        "username": "support",
        "password": "s3cret-imap",
        "folder": "INBOX",
        "organisation": acme.pk,
        "priority": "P3",
        "unknown_senders": "create",
        "foreign_replies": "new_ticket",
        "after_processing": "flag",
        "processed_folder": "Tierdesk",
        "active": "on",
    }
    response = client.post("/admin/mail/mailbox/add/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    box = Mailbox.objects.get()
    assert "s3cret-imap" not in box.password_encrypted
    assert decrypt_secret(box.password_encrypted) == "s3cret-imap"
    page = client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert "s3cret-imap" not in page and box.password_encrypted not in page
    client.post(f"/admin/mail/mailbox/{box.pk}/change/", {**form, "password": "", "port": 143})
    box.refresh_from_db()
    assert box.port == 143 and decrypt_secret(box.password_encrypted) == "s3cret-imap"


def test_customer_cannot_open_mail_admin(client, alice):
    client.force_login(alice)
    assert client.get("/admin/mail/mailbox/").status_code == 302


def test_manager_downloads_the_original_of_a_quarantined_mail(client, manager, acme):
    from mail.services.mailboxes import mailbox_save

    box = mailbox_save(
        actor=manager, name="B", host="h", port=993, username="u", password="p", organisation=acme
    )
    inbound_mail_receive(mailbox=box, raw=mail(sender=""))
    row = InboundMail.objects.get()
    assert row.outcome == Outcome.QUARANTINED
    client.force_login(manager)
    page = client.get(f"/admin/mail/inboundmail/{row.pk}/change/").content.decode()
    assert "no usable From" in page
    response = client.get(f"/admin/mail/inboundmail/{row.pk}/original/")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert b"Subject: Printer jams" in b"".join(response.streaming_content)
