"""Sign-in lockout per user and per address with a cool-off, one message for every failure;
429 with Retry-After on sign-in, token and reset floods (concurrent ones too); the reset
page answers alike for every address and mails from a worker."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import SecurityEvent
from accounts.tasks import send_password_reset
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FAILED = "Sign-in failed: wrong username or password, or too many attempts."


def _login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.fixture(autouse=True)
def _generous_throttles(settings):
    _rates(settings, login_ip="1000/min", login_user="1000/min", token_ip="1000/min")


def test_wrong_passwords_lock_the_account_until_the_cool_off(alice, settings):
    settings.AXES_FAILURE_LIMIT = 5
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for n in range(5):
            _login(Client(REMOTE_ADDR=f"10.0.0.{n}"), "alice", "wrong")
        locked = _login(Client(REMOTE_ADDR="10.0.9.9"), "alice", PASSWORD)
        assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
        assert FAILED in locked.content.decode()
        assert "_auth_user_id" not in locked.client.session
    assert SecurityEvent.objects.filter(kind="locked_out").exists()
    with time_machine.travel(now + settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)):
        ok = _login(Client(REMOTE_ADDR="10.0.9.9"), "alice", PASSWORD)
        assert ok.status_code == 302


def test_one_address_trying_many_accounts_is_locked_out(alice, bob, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="10.6.6.6")
    for n in range(5):
        _login(client, f"guess{n}", "wrong")
    assert _login(client, "bob", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="10.7.7.7"), "bob", PASSWORD).status_code == 302


def test_the_admin_sign_in_is_locked_out_too(manager, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("admin:login")
    for _ in range(3):
        _login(Client(), "manager", "wrong", url)
    assert _login(Client(), "manager", PASSWORD, url).status_code == 429


def test_the_token_endpoint_counts_toward_the_lockout(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": "x"})
    response = APIClient().post("/api/v1/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429 and "token" not in response.json()


def test_every_failure_reads_the_same(alice):
    wrong_password = _login(Client(), "alice", "wrong").content.decode()
    unknown = _login(Client(), "nobody", "wrong").content.decode()
    admin = _login(Client(), "alice", "wrong", reverse("admin:login")).content.decode()
    assert FAILED in wrong_password and FAILED in unknown and FAILED in admin
    assert SecurityEvent.objects.filter(kind="sign_in_failed", username="nobody").exists()


# Threads use their own connections: a transactional test, so their rows are emptied after.
@pytest.mark.django_db(transaction=True)
def test_sign_in_is_throttled_with_retry_after_even_when_concurrent(alice, settings):
    settings.AXES_FAILURE_LIMIT = 1000
    _rates(settings, login_ip="5/min")

    def attempt(n):
        return _login(Client(), f"user{n}", "wrong").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(attempt, range(16)))

    assert codes.count(429) == 11 and codes.count(200) == 5
    refused = _login(Client(), "alice", PASSWORD)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60


# Threads use their own connections: a transactional test, so their rows are emptied after.
@pytest.mark.django_db(transaction=True)
def test_token_creation_throttle_holds_for_concurrent_requests(alice, settings):
    settings.AXES_FAILURE_LIMIT = 1000
    _rates(settings, token_ip="4/min", token_user="1000/min")

    def attempt(n):
        return APIClient().post("/api/v1/auth/token/", {"username": f"u{n}", "password": "x"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = [r.status_code for r in pool.map(attempt, range(12))]

    assert codes.count(429) == 8


def test_password_reset_answers_alike_and_sends_nothing_in_the_request(
    client, alice, django_capture_on_commit_callbacks, django_assert_num_queries
):
    answers = []
    for email in (alice.email, "nobody@example.com"):
        with django_assert_num_queries(1):  # the audit line; no user lookup
            response = client.post(reverse("password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, reverse("password_reset_done"))
    assert mail.outbox == []

    send_password_reset.apply(args=(alice.email, "desk.example", True))
    send_password_reset.apply(args=("nobody@example.com", "desk.example", True))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    assert "https://desk.example/accounts/reset/" in mail.outbox[0].body


def test_password_reset_is_queued_on_the_broker_after_commit(
    client, alice, django_capture_on_commit_callbacks
):
    import json

    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": alice.email})
    messages = [json.loads(m) for m in broker.lrange("celery", 0, -1)]
    broker.delete("celery")
    assert [m["headers"]["task"] for m in messages] == ["accounts.tasks.send_password_reset"]


def test_password_reset_is_throttled_per_address(client, alice):
    codes = [
        client.post(reverse("password_reset"), {"email": alice.email}).status_code for _ in range(4)
    ]
    assert codes == [302, 302, 302, 429]
