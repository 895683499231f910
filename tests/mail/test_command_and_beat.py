"""`manage.py fetch_mail` polls once; beat has the poller's entry after migrate."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from mail.models import Outcome
from mail.schedule import POLL_TASK_NAME, ensure_poll_schedule
from mail.tasks import poll
from tests.mail.mails import mail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_fetch_mail_command_reads_each_mailbox_once(dovecot, folder, desk_mailbox, alice, capsys):
    dovecot.deliver(folder, mail(subject="By command"))
    call_command("fetch_mail")
    assert f"{desk_mailbox.name}: 1 mail(s)" in capsys.readouterr().out
    assert Ticket.objects.get().subject == "By command"
    call_command("fetch_mail", mailbox=desk_mailbox.pk)
    assert "0 mail(s)" in capsys.readouterr().out


def test_unreachable_mailbox_is_recorded_and_the_command_fails(desk_mailbox, capsys):
    desk_mailbox.port = 1
    desk_mailbox.save()
    with pytest.raises(SystemExit):
        call_command("fetch_mail")
    desk_mailbox.refresh_from_db()
    assert desk_mailbox.last_error and desk_mailbox.polling_until is None


def test_beat_entry_runs_the_poll_task(settings):
    settings.TIERDESK_MAIL_POLL_SECONDS = 45
    ensure_poll_schedule()
    task = PeriodicTask.objects.get(name=POLL_TASK_NAME)
    assert (task.task, task.interval.every, task.expire_seconds) == ("mail.poll", 45, 45)
    assert poll.name == "mail.poll"


def test_busy_mailbox_is_skipped_by_a_second_poller(desk_mailbox):
    from datetime import timedelta

    from django.utils import timezone

    from mail.services.polling import mailbox_poll

    desk_mailbox.polling_until = timezone.now() + timedelta(minutes=5)
    desk_mailbox.save()
    assert mailbox_poll(mailbox_id=desk_mailbox.pk).skipped is True
    assert not desk_mailbox.mails.filter(outcome=Outcome.TICKET).exists()


def test_tls_mailbox_refuses_a_certificate_nobody_trusts(dovecot, folder, desk_mailbox, alice):
    """imaplib alone would accept any certificate; the poller verifies it."""
    from mail.services.polling import mailbox_poll

    dovecot.deliver(folder, mail(subject="Over TLS"))
    desk_mailbox.security, desk_mailbox.port = "ssl", dovecot.tls_port
    desk_mailbox.save()
    result = mailbox_poll(mailbox_id=desk_mailbox.pk)
    assert "CERTIFICATE_VERIFY_FAILED" in result.error
    assert not Ticket.objects.exists()
    desk_mailbox.security, desk_mailbox.port = "starttls", dovecot.port
    desk_mailbox.save()
    assert "CERTIFICATE_VERIFY_FAILED" in mailbox_poll(mailbox_id=desk_mailbox.pk).error
    assert not Ticket.objects.exists()
