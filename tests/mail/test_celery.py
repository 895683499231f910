"""Through a real Celery worker with beat: the poller runs without anyone calling it."""

import pytest

from mail.schedule import ensure_poll_schedule
from tests.escalation.worker import Worker, flush_broker, wait_until
from tests.mail.mails import mail
from tickets.models import Ticket

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_beat_polls_the_mailbox_in_a_worker(
    dovecot, folder, desk_mailbox, alice, tmp_path, settings
):
    settings.TIERDESK_MAIL_POLL_SECONDS = 5
    ensure_poll_schedule()
    dovecot.deliver(folder, mail(subject="Polled by beat"))
    flush_broker()
    worker = Worker(tmp_path, beat=True).start()
    try:
        wait_until(lambda: Ticket.objects.exists(), timeout=30, message="the beat-driven poll")
    except AssertionError:
        print(worker.output())
        raise
    finally:
        worker.stop()
    assert Ticket.objects.get().subject == "Polled by beat"
    assert "mail.poll_mailbox" in worker.output()
    assert dovecot.uids(folder, "NOT KEYWORD Tierdesk") == []
