"""Webhooks cannot be pointed at internal addresses (nor used to map them): refused when saved
and again when delivered (the name is resolved then and the checked address is the one used);
redirects are not followed; attempts record only a generic error class."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from api.models import Webhook, WebhookAttempt, WebhookDelivery
from api.webhooks import services
from tests.factories import api_key
from tests.faults.services import free_port
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

INTERNAL = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://admin.localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.0.10/hook",
    "http://172.16.5.5/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",
    "http://0.0.0.0/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://2130706433/hook",
]


@pytest.fixture
def refuse_private(settings):
    settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE = False


def _manager_api(manager) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(manager)}")
    return client


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_targets_are_refused_when_saved(refuse_private, manager, url):
    response = _manager_api(manager).post(
        "/api/v1/webhooks/", {"url": url, "events": ["ticket.created"]}
    )
    assert response.status_code == 400, (url, response.content)
    assert "url" in response.json()["fields"]
    assert not Webhook.objects.exists()


def test_moving_a_hook_to_an_internal_address_is_refused(refuse_private, manager):
    hook = services.webhook_create(
        actor=manager, url="https://93.184.216.34/in", events=["ticket.created"]
    )
    response = _manager_api(manager).patch(
        f"/api/v1/webhooks/{hook.pk}/", {"url": "http://127.0.0.1:6379/"}
    )
    assert response.status_code == 400
    hook.refresh_from_db()
    assert hook.url == "https://93.184.216.34/in"


class _Server:
    """A receiver on 127.0.0.1 answering every POST with `status` (and `location`)."""

    def __init__(self, status=200, location=None):
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                server.hits += 1
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers():
    started = []

    def start(**kwargs):
        started.append(_Server(**kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _deliver_once(manager, alice, url) -> WebhookAttempt:
    services.webhook_create(actor=manager, url=url, events=["ticket.created"])
    ticket_create(requester=alice, subject="s", description="d")
    delivery = WebhookDelivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    return WebhookAttempt.objects.get(delivery=delivery)


def test_delivery_checks_the_address_again(settings, servers, manager, alice):
    """Saved while allowed (or while the name pointed elsewhere): the delivery refuses it."""
    server = servers()
    services.webhook_create(actor=manager, url=server.url, events=["ticket.created"])
    settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE = False
    ticket_create(requester=alice, subject="s", description="d")
    delivery = WebhookDelivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert server.hits == 0
    assert (attempt.status_code, attempt.error, attempt.succeeded) == (
        None,
        "address not allowed",
        False,
    )


def test_redirects_are_not_followed(servers, manager, alice):
    inner = servers()
    outer = servers(status=302, location=inner.url)
    attempt = _deliver_once(manager, alice, outer.url)
    assert (outer.hits, inner.hits) == (1, 0)
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (302, False, "HTTP 302")


def test_a_closed_port_reports_a_generic_error(manager, alice):
    attempt = _deliver_once(manager, alice, f"http://127.0.0.1:{free_port()}/hook")
    assert (attempt.status_code, attempt.error) == (None, "connection failed")


def test_a_public_receiver_still_gets_the_signed_delivery(servers, manager, alice):
    server = servers()
    attempt = _deliver_once(manager, alice, server.url)
    assert server.hits == 1 and attempt.succeeded and attempt.status_code == 200
