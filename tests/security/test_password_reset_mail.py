"""The password-reset mail names the account it is about."""

import pytest
from django.core import mail

from accounts.services import password_reset_send

pytestmark = pytest.mark.django_db


def test_reset_mail_names_the_username(alice):
    password_reset_send(email=alice.email, domain="desk.example", use_https=True)

    assert len(mail.outbox) == 1
    assert "your Tierdesk account alice." in mail.outbox[0].body
