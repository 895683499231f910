"""Outbox rows reach the broker in chunks, one message per chunk, each row still sent once."""

import base64
import json

import pytest
import redis
from django.conf import settings
from django.core import mail

from escalation.models import MailMode, Notification, NotificationSettings
from escalation.services import delivery, notify
from escalation.tasks import send_notifications
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def arguments(message: dict) -> list:
    """The positional arguments of a Celery message as it lies in Redis."""
    return json.loads(base64.b64decode(message["body"]))[0]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")


def test_a_chunk_of_rows_is_one_message(broker, monkeypatch):
    monkeypatch.setattr(notify, "QUEUE_CHUNK", 100)
    assert notify.queue_now(range(1, 251)) == 250
    messages = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    assert [m["headers"]["task"] for m in messages] == ["escalation.send_notifications"] * 3
    chunks = sorted(len(arguments(m)[0]) for m in messages)
    assert chunks == [50, 100, 100]


@pytest.fixture
def rows(alice, agreement, staff, clock_at):
    # One e-mail per notice (a digest would put all three in one; tests/escalation/test_digest.py).
    NotificationSettings.objects.create(user=staff["l1"], mail_mode=MailMode.IMMEDIATE)
    clock_at()
    for n in range(3):
        ticket_create(requester=alice, subject=f"Printer {n}", description="Tray 2.")
    return list(Notification.objects.order_by("pk").values_list("pk", flat=True))


def test_a_chunk_sends_each_row_once_and_a_failed_row_retries_alone(
    rows, broker, settings, monkeypatch
):
    assert len(rows) == 3
    real_email = delivery.notification_email
    failing = rows[1]

    def email(row):
        if row.pk == failing:
            raise OSError("mail server refused")
        return real_email(row)

    monkeypatch.setattr(delivery, "notification_email", email)
    assert send_notifications.apply(args=[rows]).get() == 2
    assert len(mail.outbox) == 2
    # Only the failed row goes back to the broker, on its own, after its backoff.
    (retry,) = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    assert retry["headers"]["task"] == "escalation.send_notification"
    assert arguments(retry) == [failing]
    assert retry["headers"]["eta"] is not None
    # The same chunk delivered again (a redelivered message) sends nothing twice.
    monkeypatch.setattr(delivery, "notification_email", real_email)
    assert send_notifications.apply(args=[rows]).get() == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(sent_at__isnull=True).get().pk == failing
