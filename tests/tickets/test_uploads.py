"""Uploads are checked by content, size and name before anything is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import ApplicationError
from tests.conftest import PNG_BYTES, stored_files
from tickets.models import Attachment, Reply, Ticket
from tickets.services import ticket_create, ticket_reply


@pytest.mark.django_db
def test_valid_files_are_stored_outside_the_web_root(alice, png_file, text_file, settings):
    ticket = ticket_create(
        requester=alice, subject="s", description="d", files=[png_file(), text_file()]
    )
    stored = list(Attachment.objects.filter(ticket=ticket).order_by("id"))
    assert [(a.filename, a.content_type) for a in stored] == [
        ("screenshot.png", "image/png"),
        ("notes.txt", "text/plain"),
    ]
    paths = stored_files()
    assert len(paths) == 2
    assert all(str(p).startswith(str(settings.MEDIA_ROOT)) for p in paths)
    assert all(p.name not in ("screenshot.png", "notes.txt") for p in paths)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.png", b"<html><script>alert(1)</script></html>", "not an accepted type"),
        ("page.txt", b"<!DOCTYPE html><html><body>x</body></html>", "not an accepted type"),
        ("photo.pdf", PNG_BYTES, "does not match its content"),
        (
            "tool.exe",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            "not accepted",
        ),
        ("../../etc/passwd.txt", b"root", "not allowed"),
        ("..\\boot.ini.txt", b"x", "not allowed"),
        (".htaccess", b"x", "not allowed"),
        ("noext", b"hello", "extension"),
        ("empty.txt", b"", "empty"),
        ("bell\x07.txt", b"hello", "control characters"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(alice, name, content, message):
    upload = SimpleUploadedFile("placeholder", content)
    upload._name = name  # as a raw client would send it, before any framework cleaning
    with pytest.raises(ApplicationError) as caught:
        ticket_create(requester=alice, subject="s", description="d", files=[upload])
    assert message in caught.value.fields["attachments"][0]
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_oversize_upload_refused(alice, settings):
    settings.TIERDESK_MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("log.txt", b"a" * 1025)
    ticket = ticket_create(requester=alice, subject="s", description="d")
    with pytest.raises(ApplicationError) as caught:
        ticket_reply(ticket=ticket, author=alice, body="log attached", files=[big])
    assert "limit is 1.0" in caught.value.fields["attachments"][0]
    assert not Reply.objects.exists()
    assert stored_files() == []


@pytest.mark.django_db
def test_one_bad_file_among_good_ones_stores_nothing(alice, png_file):
    bad = SimpleUploadedFile("x.png", b"not a png at all")
    with pytest.raises(ApplicationError):
        ticket_create(requester=alice, subject="s", description="d", files=[png_file(), bad])
    assert stored_files() == []
