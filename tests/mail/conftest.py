"""Mail fixtures: one Dovecot and one SMTP server per session, a folder and mailbox per test."""

import uuid

import pytest

from mail.models import AfterProcessing, UnknownSenders
from mail.services.mailboxes import mailbox_save
from tests.mail.servers import PASSWORD, USER, Dovecot, SmtpServer


@pytest.fixture(scope="session")
def dovecot():
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Tierdesk sends through the test SMTP server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = (
        "127.0.0.1",
        smtp_server.port,
        False,
    )
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def folder(dovecot):
    name = f"t{uuid.uuid4().hex[:10]}"
    dovecot.create_folder(name)
    return name


@pytest.fixture
def desk_mailbox(dovecot, folder, manager, acme):
    return mailbox_save(
        actor=manager,
        name=f"Support {folder}",
        host="127.0.0.1",
        port=dovecot.port,
        security="none",
        username=USER,
        password=PASSWORD,
        folder=folder,
        organisation=acme,
        unknown_senders=UnknownSenders.REFUSE,
        after_processing=AfterProcessing.FLAG,
    )
