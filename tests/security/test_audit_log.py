"""The security audit log: sign-in failures, refusals, access and token changes; single-line
texts, no secrets; managers read it in the admin and download it as CSV."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db

SECRET = "hunter2-secret-password"


def test_a_failed_sign_in_is_logged_on_one_line_without_the_password(alice):
    forged = "alice\r\n2026-01-01 sign_in actor=root"
    Client().post(reverse("login"), {"username": forged, "password": SECRET})

    event = SecurityEvent.objects.get(kind="sign_in_failed")
    assert "\n" not in event.username and "\r" not in event.username
    assert event.username == "alice\\x0d\\x0a2026-01-01 sign_in actor=root"
    assert event.address == "127.0.0.1" and event.path == reverse("login")
    row = SecurityEvent.objects.filter(pk=event.pk).values()[0]
    assert not any(SECRET in str(value) for value in row.values())


def test_token_creation_and_role_changes_are_logged_without_the_key(alice):
    token, key = api_token_create(user=alice, name="script")
    alice.is_organisation_contact = True
    alice.save()

    kinds = list(SecurityEvent.objects.filter(subject=alice).values_list("kind", flat=True))
    assert {"token_created", "access_changed", "token_revoked"} <= set(kinds)
    assert not SecurityEvent.objects.filter(detail__contains=key).exists()


def test_managers_read_and_export_the_log_and_customers_cannot(client, manager, alice):
    Client().post(reverse("login"), {"username": "=cmd|' /C calc'!A0", "password": "x"})
    client.force_login(manager)

    page = client.get(reverse("admin:accounts_securityevent_changelist"))
    assert page.status_code == 200 and "sign_in_failed" in page.content.decode().replace(
        "Sign-in failed", "sign_in_failed"
    )
    export = client.get(
        reverse("admin:accounts_securityevent_export"), {"kind__exact": "sign_in_failed"}
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert [r["kind"] for r in rows] == ["sign_in_failed"]
    assert rows[0]["username"].startswith("'=")

    client.force_login(alice)
    assert client.get(reverse("admin:accounts_securityevent_export")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 403
    assert SecurityEvent.objects.filter(kind="access_denied", actor=alice).exists()
