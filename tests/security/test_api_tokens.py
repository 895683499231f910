"""API tokens: named, several per user, expiring, last use recorded, revocable, and dead
after a password change or reset, deactivation, or a change of role or access."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role, SecurityEvent
from accounts.services import api_token_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(key=None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key) -> bool:
    return _client(key).get("/api/v1/tickets/").status_code == 200


def test_several_named_tokens_with_expiry_and_last_use(alice):
    first = _client().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD, "name": "backup script"},
        format="json",
    )
    second = _client().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD, "name": "monitor", "expires_in_days": 7},
        format="json",
    )
    assert first.status_code == second.status_code == 200
    key1, key2 = first.json()["token"], second.json()["token"]
    assert key1 != key2 and _works(key1) and _works(key2)

    listed = _client(key1).get("/api/v1/auth/tokens/").json()
    assert {t["name"] for t in listed} == {"backup script", "monitor"}
    assert all("token" not in t and key1 not in str(t) for t in listed)
    monitor = next(t for t in listed if t["name"] == "monitor")
    expires = dt.datetime.fromisoformat(monitor["expires"])
    assert dt.timedelta(days=6) < expires - timezone.now() <= dt.timedelta(days=7)
    assert next(t for t in listed if t["name"] == "backup script")["last_used"] is not None
    # Only a hash is stored.
    assert not ApiToken.objects.filter(key_hash=key1).exists()


def test_tokens_expire(alice):
    _, key = api_token_create(user=alice, name="short", expires_in_days=1)
    assert _works(key)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert _client(key).get("/api/v1/tickets/").status_code == 401


def test_revoke_one_token_through_the_api_and_the_old_delete_still_works(alice):
    _, keep = api_token_create(user=alice, name="keep")
    _, drop = api_token_create(user=alice, name="drop")
    drop_id = ApiToken.objects.get(name="drop").pk

    assert _client(keep).delete(f"/api/v1/auth/tokens/{drop_id}/").status_code == 204
    assert not _works(drop) and _works(keep)
    # DELETE /auth/token/ revokes the token it is sent with.
    assert _client(keep).delete("/api/v1/auth/token/").status_code == 204
    assert not _works(keep)


def test_nobody_revokes_another_users_token(alice, bob):
    _, key = api_token_create(user=alice, name="mine")
    _, bobs = api_token_create(user=bob, name="bob")
    pk = ApiToken.objects.get(user=alice).pk

    assert _client(bobs).delete(f"/api/v1/auth/tokens/{pk}/").status_code == 404
    assert _works(key)


def _change_password(user):
    user.set_password("a new long passphrase 42")
    user.save()


def _deactivate(user):
    user.is_active = False
    user.save()


def _make_manager(user):
    user.role, user.organisation = Role.MANAGER, None
    user.save()


def _make_contact(user):
    user.is_organisation_contact = True
    user.save(update_fields=["is_organisation_contact"])


@pytest.mark.parametrize("change", [_change_password, _deactivate, _make_manager, _make_contact])
def test_tokens_die_with_a_change_of_password_or_access(alice, change):
    _, key = api_token_create(user=alice, name="script")
    change(alice)

    assert not ApiToken.objects.filter(user=alice).exists()
    assert not _works(key)
    assert SecurityEvent.objects.filter(kind="token_revoked", subject=alice).exists()


def test_tokens_survive_unrelated_saves_such_as_sign_in(client, alice):
    _, key = api_token_create(user=alice, name="script")
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    alice.refresh_from_db()
    alice.first_name = "Alice"
    alice.save()

    assert _works(key)


def test_tokens_die_with_a_password_reset_and_a_change_through_the_web(client, alice):
    _, key = api_token_create(user=alice, name="script")
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    url = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(alice)])
    form_url = client.get(url)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "correct horse battery", "new_password2": "correct horse battery"},
    )
    assert response.status_code == 302
    assert not _works(key)

    alice.refresh_from_db()
    _, key = api_token_create(user=alice, name="again")
    client.force_login(alice)
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another horse battery",
            "new_password2": "another horse battery",
        },
    )
    assert changed.status_code == 302
    assert not _works(key)


def test_the_tokens_page_creates_lists_and_revokes(client, alice, django_assert_num_queries):
    api_token_create(user=alice, name="old one")
    client.force_login(alice)

    response = client.post(reverse("api-tokens"), {"name": "laptop", "expires_in_days": 30})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="new-token"' in html
    new = ApiToken.objects.get(name="laptop")
    assert new.prefix in html and "old one" in html
    for n in range(5):
        api_token_create(user=alice, name=f"extra {n}")
    # session, user, tokens
    with django_assert_num_queries(4):  # + the header's unread count
        assert client.get(reverse("api-tokens")).status_code == 200

    revoked = client.post(reverse("api-token-revoke", args=[new.pk]))
    assert revoked.status_code == 302
    assert not ApiToken.objects.filter(pk=new.pk).exists()
    assert client.post(reverse("api-token-revoke", args=["%C2%B2"])).status_code == 404


def test_the_tokens_page_refuses_bad_expiry(client, alice):
    client.force_login(alice)
    response = client.post(reverse("api-tokens"), {"name": "x", "expires_in_days": 99999})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_schema_documents_the_endpoints(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert {
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{token_id}/",
    } <= set(schema["paths"])
    created = schema["components"]["schemas"]["NewToken"]["properties"]
    assert {"token", "name", "expires", "last_used"} <= set(created)


def test_asking_for_a_token_on_every_run_never_gets_stuck(alice, settings):
    from accounts.services import MAX_TOKENS_PER_USER

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "token_ip": "1000/min", "token_user": "1000/min"},
    }
    _, used = api_token_create(user=alice, name="in use")
    assert _works(used)
    credentials = {"username": "alice", "password": PASSWORD}
    for n in range(MAX_TOKENS_PER_USER + 3):
        response = _client().post("/api/v1/auth/token/", credentials)
        assert response.status_code == 200, n
    assert ApiToken.objects.filter(user=alice).count() == MAX_TOKENS_PER_USER
    # The least recently used made room; the one in use and the newest stay.
    assert _works(response.json()["token"]) and _works(used)
