"""Webhook deliveries travel 100 per broker message; a batch sends each hook's rows in order
and the hooks side by side, so one dead receiver holds up nobody else.

Messages are counted on the real Redis broker list of the test settings; the receivers are
real HTTP servers on 127.0.0.1.
"""

import math
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from api.tasks import webhook_deliver_batch, webhook_requeue_due
from api.webhooks import services
from tests.api import test_webhooks as shared

pytestmark = pytest.mark.django_db

# The webhook tests' recording receiver and reader of the real broker list.
receiver = shared.receiver
broker_queue = shared.broker_queue


def _record(count: int) -> list[int]:
    rows = services.deliveries_record(
        deliveries=[(WebhookEvent.TICKET_CREATED, {"n": n}) for n in range(count)]
    )
    return [row.pk for row in rows]


def _batches(messages) -> list[list[int]]:
    assert {m["headers"]["task"] for m in messages} <= {"api.tasks.webhook_deliver_batch"}
    return [eval(m["headers"]["argsrepr"])[0] for m in messages]  # noqa: S307 - our own repr


@pytest.mark.parametrize("count", [1, 100, 101, 250])
def test_n_deliveries_queue_ceil_n_over_100_messages_each_row_once(
    count, manager, receiver, broker_queue, django_capture_on_commit_callbacks
):
    services.webhook_create(actor=manager, url=receiver.url, events=[WebhookEvent.TICKET_CREATED])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = _record(count)
        assert broker_queue() == []  # nothing before the commit

    batches = _batches(broker_queue())
    assert len(batches) == math.ceil(count / 100)
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids)


def test_the_requeue_hands_a_backlog_over_in_batches_and_moves_on(
    manager, receiver, broker_queue, settings
):
    services.webhook_create(actor=manager, url=receiver.url, events=[WebhookEvent.TICKET_CREATED])
    ids = _record(250)  # never queued: the test's transaction does not commit
    later = timezone.now() + timedelta(seconds=services.REQUEUE_GRACE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert webhook_requeue_due.apply().get() == 250
        # Queued again only once its grace period has passed again (workers still down).
        assert webhook_requeue_due.apply().get() == 0
    assert sorted(pk for batch in _batches(broker_queue()) for pk in batch) == sorted(ids)


class _Receiver:
    """Answers `status`; the first request may be held until `hold` is set (or 9 s)."""

    def __init__(self, *, status: int = 200, hold: threading.Event | None = None, on_hit=None):
        self.ids: list[int] = []
        self.released_in_time: bool | None = None
        me = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers["Content-Length"]))
                me.ids.append(int(self.headers["X-Tierdesk-Delivery"]))
                if hold is not None and me.released_in_time is None:
                    me.released_in_time = hold.wait(timeout=9)
                self.send_response(status)
                self.end_headers()
                if on_hit:
                    on_hit(me)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        made.append(_Receiver(**kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_a_hanging_failing_receiver_holds_up_no_other_hook_and_waits_with_its_rows(
    manager, receivers, broker_queue
):
    healthy_done = threading.Event()
    per_hook = 5

    def count(me):
        if len(me.ids) == per_hook:
            healthy_done.set()

    dead = receivers(status=503, hold=healthy_done)
    healthy = receivers(on_hit=count)
    dead_hook = services.webhook_create(actor=manager, url=dead.url, events=["ticket.created"])
    services.webhook_create(actor=manager, url=healthy.url, events=["ticket.created"])
    ids = _record(per_hook)  # one row per hook for each event: 10 rows in one batch
    start = timezone.now()

    with time_machine.travel(start, tick=False):
        assert webhook_deliver_batch.apply(args=[ids]).get() == per_hook + 1

    # The healthy hook got all its rows, in order, while the dead one still held its first.
    assert dead.released_in_time is True
    rows = WebhookDelivery.objects.order_by("id")
    healthy_rows = [d for d in rows if d.webhook_id != dead_hook.pk]
    assert healthy.ids == [d.pk for d in healthy_rows]
    assert {d.status for d in healthy_rows} == {DeliveryStatus.SUCCEEDED}
    # The dead hook was tried once: its other rows were not tried, they wait for the retry.
    dead_rows = [d for d in rows if d.webhook_id == dead_hook.pk]
    assert dead.ids == [dead_rows[0].pk]
    retry_at = start + timedelta(seconds=services.backoff_seconds(1))
    assert [(d.attempt_count, d.next_attempt_at) for d in dead_rows] == [(1, retry_at)] + [
        (0, retry_at)
    ] * (per_hook - 1)
    [retry] = broker_queue()
    assert _batches([retry]) == [[d.pk for d in dead_rows]] and retry["headers"]["eta"]

    # The retry, once due, with the receiver back: every held row goes out, in order.
    dead_back = receivers()
    dead_hook.url = dead_back.url
    dead_hook.save(update_fields=["url"])
    with time_machine.travel(retry_at, tick=False):
        webhook_deliver_batch.apply(args=[[d.pk for d in dead_rows]])
    assert dead_back.ids == [d.pk for d in dead_rows]
    assert set(
        WebhookDelivery.objects.filter(webhook=dead_hook).values_list("status", flat=True)
    ) == {DeliveryStatus.SUCCEEDED}
