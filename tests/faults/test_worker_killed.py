"""A worker killed in the middle of a webhook delivery: the row stays pending under its lease,
the next attempt after the lease delivers it, and the receiver sees the same delivery id
twice at most (at least once, documented in docs/security.md) — nothing lost."""

import signal
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from api.webhooks import services
from tests.escalation.worker import Worker
from tickets.services import ticket_create

from .services import wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class _SlowReceiver:
    """Holds the first request open until released; answers 200 to every request."""

    def __init__(self):
        self.ids: list[str] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.ids.append(self.headers["X-Tierdesk-Delivery"])
                if len(receiver.ids) == 1:
                    receiver.release.wait(timeout=20)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_delivery_interrupted_by_a_killed_worker_is_sent_again_after_its_lease(
    tmp_path, redis_server, broker_on, manager, alice
):
    broker_on(redis_server)
    receiver = _SlowReceiver()
    worker = Worker(tmp_path, env={"REDIS_URL": redis_server.url}).start()
    try:
        services.webhook_create(
            actor=manager, url=receiver.url, events=[WebhookEvent.TICKET_CREATED]
        )
        ticket_create(requester=alice, subject="s", description="d")
        wait_until(lambda: len(receiver.ids) == 1, timeout=15, message="the first attempt")
        worker.kill(signal.SIGKILL)  # mid-send: the receiver has the request, no answer yet
        receiver.release.set()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempt_count == 0
        # Not before the lease ends (a slow worker may still be sending) ...
        assert services.delivery_attempt(delivery_id=delivery.pk) is None
        # ... and once it has, the next attempt (the re-queue sweep's) sends it.
        lease = services.TIMEOUT_SECONDS + services.LEASE_MARGIN_SECONDS
        later = timezone.now() + timedelta(seconds=lease + 1)
        assert delivery.pk in services.deliveries_due(
            now=later + timedelta(seconds=services.REQUEUE_GRACE_SECONDS)
        )
        services.delivery_attempt(delivery_id=delivery.pk, now=later)
        # Further attempts find nothing to do: delivered, not doubled again.
        assert services.delivery_attempt(delivery_id=delivery.pk, now=later) is None
    finally:
        worker.stop()
        receiver.close()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 1
    assert receiver.ids == [str(delivery.pk), str(delivery.pk)]
