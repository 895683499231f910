"""Two pollers taking in the same mail at the same moment: one ticket, never two."""

import threading

import pytest
from django.db import connection

from mail.models import InboundMail
from mail.services.inbound import inbound_mail_receive
from mail.services.mailboxes import mailbox_save
from tests.mail.mails import mail
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_same_mail_taken_in_twice_at_once_makes_one_ticket(manager, alice):
    box = mailbox_save(actor=manager, name="B", host="h", username="u", password="p")
    raws = [mail(subject=f"Race {n}") for n in range(4)]
    results = []

    def take(raw, barrier):
        barrier.wait()
        try:
            results.append(inbound_mail_receive(mailbox=box, raw=raw))
        finally:
            connection.close()

    for raw in raws:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=take, args=(raw, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert len(results) == 8
    assert Ticket.objects.count() == 4 == InboundMail.objects.count()
    assert sum(r.duplicate for r in results) == 4
    assert {r.ticket_id for r in results} == set(Ticket.objects.values_list("pk", flat=True))
