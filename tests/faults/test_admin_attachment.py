"""The admin's attachment page opens (files have no URL: it links the checked download view)."""

import pytest
from django.urls import reverse

from tickets.models import Attachment
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def test_the_admin_attachment_pages_open_and_link_the_download(client, manager, alice, png_file):
    ticket = ticket_create(
        requester=alice, subject="Screen", description="See file.", files=[png_file()]
    )
    attachment = Attachment.objects.get(ticket=ticket)
    client.force_login(manager)
    page = client.get(reverse("admin:tickets_attachment_change", args=[attachment.pk]))
    assert page.status_code == 200
    download = reverse("attachment-download", args=[ticket.reference, attachment.pk])
    assert f'href="{download}"' in page.content.decode()
    assert client.get(download).status_code == 200
    listing = client.get(reverse("admin:tickets_attachment_changelist"))
    assert listing.status_code == 200 and "screenshot.png" in listing.content.decode()
    assert client.get(reverse("admin:tickets_attachment_add")).status_code == 403
