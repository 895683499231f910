"""Webhooks: outbox rows written with the change, sent by the Celery task, signed, retried.

A tiny threading HTTP server on 127.0.0.1 stands in for the receiver; the
signature is checked by recomputing the HMAC here. The broker is the real
Redis of the test settings.
"""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from kombu import Connection

from api.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from api.tasks import webhook_deliver, webhook_requeue_due
from api.webhooks import services
from helpdesk.celery import app as celery_app
from sla.models import Clock
from sla.services.marking import clock_mark_breached
from tickets.services import ticket_change_status, ticket_reply

pytestmark = pytest.mark.django_db

ALL_EVENTS = list(WebhookEvent.values)


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    found = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), found.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield found
    server.shutdown()
    server.server_close()


@pytest.fixture
def broker_queue():
    """The real Celery queue in Redis: yields a reader, drops what the test queued."""
    with Connection(django_settings.CELERY_BROKER_URL) as conn:
        client = conn.default_channel.client
        before = client.llen("celery")

        def new_messages():
            count = client.llen("celery") - before
            return [json.loads(m) for m in client.lrange("celery", 0, count - 1)] if count else []

        yield new_messages
        extra = client.llen("celery") - before
        for _ in range(max(extra, 0)):
            client.lpop("celery")


@pytest.fixture
def hook(manager, receiver):
    return services.webhook_create(actor=manager, url=receiver.url, events=ALL_EVENTS)


def test_manager_registers_a_hook_and_sees_the_secret_once(api, manager, alice):
    client = api(manager)
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.com/in", "events": ["ticket.created", "sla.breach"]},
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    hook = Webhook.objects.get(pk=created.json()["id"])
    assert hook.secret == secret and len(secret) >= 32
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook.pk}/").json()
    rotated = client.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()["secret"]
    assert rotated != secret
    bad = client.post("/api/v1/webhooks/", {"url": "ftp://x.example", "events": ["nope"]})
    assert bad.status_code == 400 and {"url", "events.0"} <= set(bad.json()["fields"])
    assert (
        api(alice).post("/api/v1/webhooks/", {"url": "https://e.com", "events": []}).status_code
        == 403
    )


def test_write_records_delivery_and_queues_it_after_commit(
    api, alice, hook, broker_queue, django_capture_on_commit_callbacks, receiver
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post("/api/v1/tickets/", {"subject": "Disk full", "description": "d"})
        # Inside the request nothing was sent: only the outbox row exists.
        delivery = WebhookDelivery.objects.get(event="ticket.created")
        assert delivery.status == DeliveryStatus.PENDING and receiver.requests == []
    assert response.status_code == 201
    assert delivery.payload["ticket"]["id"] == response.json()["id"]
    messages = broker_queue()
    assert [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages] == [
        ("api.tasks.webhook_deliver_batch", f"([{delivery.pk}],)")
    ]
    assert receiver.requests == []


def test_task_sends_signed_delivery(api, manager, alice, hook, receiver, file_ticket):
    ticket = file_ticket(alice)
    delivery = WebhookDelivery.objects.get(event="ticket.created")
    webhook_deliver.apply(args=[delivery.pk])
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Tierdesk-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Tierdesk-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert headers["X-Tierdesk-Event"] == "ticket.created"
    payload = json.loads(body)
    assert payload["event"] == "ticket.created" and payload["data"]["ticket"]["id"] == ticket.pk
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 1
    rows = api(manager).get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()["results"]
    assert rows[0]["status"] == "succeeded"
    assert rows[0]["attempts"][0]["status_code"] == 200
    # A second message for the same delivery sends nothing.
    webhook_deliver.apply(args=[delivery.pk])
    assert len(receiver.requests) == 1


def test_failures_retry_with_backoff_then_give_up(
    api, manager, alice, hook, receiver, file_ticket, broker_queue
):
    file_ticket(alice)
    delivery = WebhookDelivery.objects.get(event="ticket.created")
    receiver.statuses = [500]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        webhook_deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempt_count == 1
    assert delivery.next_attempt_at == start + timedelta(seconds=services.backoff_seconds(1))
    # The retry went back to the broker with the backoff as countdown.
    [retry] = broker_queue()
    assert retry["headers"]["argsrepr"] == f"([{delivery.pk}],)" and retry["headers"]["eta"]
    # Too early: nothing is sent.
    webhook_deliver.apply(args=[delivery.pk])
    assert len(receiver.requests) == 1
    receiver.statuses = [503] * services.MAX_ATTEMPTS
    moment = start
    for _ in range(services.MAX_ATTEMPTS - 1):
        moment += timedelta(hours=3)
        with time_machine.travel(moment, tick=False):
            webhook_deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempt_count == services.MAX_ATTEMPTS
    rows = api(manager).get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()["results"]
    assert [a["status_code"] for a in rows[0]["attempts"]] == [500] + [503] * 5
    assert receiver.requests and len(receiver.requests) == services.MAX_ATTEMPTS
    redo = api(manager).post(f"/api/v1/webhooks/{hook.pk}/deliveries/{delivery.pk}/redeliver/")
    assert redo.status_code == 202 and redo.json()["status"] == "pending"


def test_unreachable_receiver_is_recorded(alice, manager, file_ticket):
    hook = services.webhook_create(
        actor=manager, url="http://127.0.0.1:9/closed", events=["ticket.created"]
    )
    file_ticket(alice)
    delivery = WebhookDelivery.objects.get(webhook=hook)
    services.delivery_attempt(delivery_id=delivery.pk)
    attempt = delivery.attempts.get()
    assert attempt.status_code is None and not attempt.succeeded
    assert attempt.error == "connection failed"  # a generic class, not what the socket said


def test_events_that_trigger_deliveries(alice, l1tech, hook, file_ticket):
    ticket = file_ticket(alice)
    ticket_reply(ticket=ticket, author=l1tech, body="note", internal=True)
    ticket_reply(ticket=ticket, author=l1tech, body="public")
    ticket_change_status(ticket=ticket, actor=l1tech, status="on_hold")
    clock = Clock.objects.filter(ticket=ticket, kind="resolution").get()
    with time_machine.travel(clock.due_at + timedelta(minutes=1)):
        clock_mark_breached(clock_id=clock.pk)
    events = list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == [
        "ticket.created",
        "ticket.status_changed",  # new -> open, by the first public staff reply
        "ticket.reply_added",  # the public reply only; internal notes never leave
        "ticket.status_changed",
        "sla.breach",
    ]


def test_escalation_triggers_delivery(api, alice, l1tech, hook, file_ticket):
    ticket = file_ticket(alice)
    api(l1tech).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/",
        {"handoff_note": "Tried the usual fixes twice.", "expected_tier": "L1"},
    )
    delivery = WebhookDelivery.objects.get(event="ticket.escalated")
    assert (delivery.payload["before"], delivery.payload["after"]) == ("L1", "L2")


def test_inactive_or_unsubscribed_hooks_get_nothing(manager, alice, receiver, file_ticket):
    services.webhook_create(actor=manager, url=receiver.url, events=["sla.breach"])
    off = services.webhook_create(actor=manager, url=receiver.url, events=ALL_EVENTS)
    services.webhook_update(webhook=off, data={"is_active": False})
    file_ticket(alice)
    assert not WebhookDelivery.objects.exists()


def _reset_broker_connections():
    # Forget the app's cached pools so the next publish connects to conf.broker_url.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def set_broker_url(url: str) -> None:
    """Celery reads the namespaced CELERY_BROKER_URL before broker_url: set both."""
    celery_app.conf.broker_url = celery_app.conf.CELERY_BROKER_URL = url
    _reset_broker_connections()


def test_broker_outage_does_not_fail_the_write(
    api, alice, hook, django_capture_on_commit_callbacks, broker_queue
):
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_publish_retry)
    conf.task_publish_retry = False
    set_broker_url("redis://127.0.0.1:1/0")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api(alice).post("/api/v1/tickets/", {"subject": "s", "description": "d"})
    finally:
        conf.task_publish_retry = saved[1]
        set_broker_url(saved[0])
    assert response.status_code == 201
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempt_count == 0
    # With the broker back, the sweep re-queues what was left behind (after a grace period
    # in which a fresh row's own message is expected to arrive).
    assert webhook_requeue_due.apply().get() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert webhook_requeue_due.apply().get() == 1
    assert [m["headers"]["argsrepr"] for m in broker_queue()] == [f"([{delivery.pk}],)"]


def test_requeue_sweep_is_scheduled_in_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="webhook-requeue")
    assert task.task == "api.tasks.webhook_requeue_due" and task.enabled
    assert task.interval.every == 60


def test_redelivery_is_a_new_delivery_queued_after_the_commit(
    api, alice, manager, hook, file_ticket, django_capture_on_commit_callbacks
):
    file_ticket(alice)
    original = WebhookDelivery.objects.get(webhook=hook)
    WebhookDelivery.objects.filter(pk=original.pk).update(status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.webhook_redeliver(delivery=original)
    assert len(callbacks) == 1  # handed to the worker only once the row is committed
    assert again.pk != original.pk and again.status == DeliveryStatus.PENDING
    assert (again.webhook_id, again.event, again.payload) == (
        hook.pk,
        original.event,
        original.payload,
    )
    original.refresh_from_db()
    assert original.status == DeliveryStatus.FAILED
    # The API's redeliver action is this service.
    redo = api(manager).post(f"/api/v1/webhooks/{hook.pk}/deliveries/{original.pk}/redeliver/")
    assert redo.status_code == 202
    assert WebhookDelivery.objects.filter(webhook=hook, event=original.event).count() == 3
