"""Staff who may see the ticket read the full original mail; customers and others never."""

import pytest

from mail.models import InboundMail
from mail.services.inbound import inbound_mail_receive
from mail.services.mailboxes import mailbox_save
from tests.mail.mails import mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed_ticket(manager, alice):
    box = mailbox_save(actor=manager, name="B", host="h", username="u", password="p")
    raw = mail(text="Hello desk.\n\nOn Mon someone wrote:\n> quoted history")
    inbound_mail_receive(mailbox=box, raw=raw)
    return InboundMail.objects.get().ticket


def test_technician_downloads_the_original_from_the_ticket_page(client, mailed_ticket, l1tech):
    client.force_login(l1tech)
    page = client.get(f"/tickets/{mailed_ticket.reference}/").content.decode()
    row = InboundMail.objects.get()
    assert f"/mail/originals/{row.pk}/" in page
    response = client.get(f"/mail/originals/{row.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "message/rfc822"
    assert b"> quoted history" in b"".join(response.streaming_content)


def test_customer_and_staff_of_other_tiers_get_404(client, mailed_ticket, alice, l1tech):
    from tickets.models import Ticket

    row = InboundMail.objects.get()
    client.force_login(alice)
    assert (
        "/mail/originals/"
        not in client.get(f"/tickets/{mailed_ticket.reference}/").content.decode()
    )
    assert client.get(f"/mail/originals/{row.pk}/").status_code == 404
    Ticket.objects.filter(pk=mailed_ticket.pk).update(tier="L3")
    client.force_login(l1tech)
    assert client.get(f"/mail/originals/{row.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/mail/originals/{row.pk}/").status_code == 302
