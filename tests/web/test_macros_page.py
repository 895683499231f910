"""The canned replies page: personal ones private, shared ones for managers."""

import pytest
from django.urls import reverse

from desk.models import Macro

pytestmark = pytest.mark.django_db


def test_technician_keeps_personal_macros_private(client, l1tech, l2tech, alice):
    client.force_login(l1tech)
    response = client.post(
        reverse("macros"),
        {
            "name": "Greeting",
            "body": "Hi {requester_name}",
            "body_de": "Hallo {requester_name}",
            "set_status": "on_hold",
            "shared": "on",
        },
    )
    assert response.status_code == 403  # technicians cannot share
    assert not Macro.objects.exists()
    response = client.post(
        reverse("macros"),
        {"name": "Greeting", "body": "Hi {requester_name}", "body_de": "Hallo {requester_name}"},
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.owner == l1tech and macro.translations.get().language == "de"
    assert "Greeting" in client.get(reverse("macros")).content.decode()
    assert client.post(reverse("macros"), {"name": "", "body": ""}).status_code == 400
    client.force_login(l2tech)
    assert "Greeting" not in client.get(reverse("macros")).content.decode()
    assert client.post(reverse("macro-delete", args=[macro.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("macros")).status_code == 403
    client.force_login(l1tech)
    assert client.post(reverse("macro-delete", args=[macro.pk])).status_code == 302
    assert not Macro.objects.exists()


def test_manager_shares_and_technicians_use_but_cannot_delete(client, manager, l1tech):
    client.force_login(manager)
    client.post(reverse("macros"), {"name": "Outage", "body": "We know.", "shared": "on"})
    macro = Macro.objects.get(owner__isnull=True)
    client.force_login(l1tech)
    html = client.get(reverse("macros")).content.decode()
    assert "Outage" in html and reverse("macro-delete", args=[macro.pk]) not in html
    assert client.post(reverse("macro-delete", args=[macro.pk])).status_code == 403
    assert Macro.objects.filter(pk=macro.pk).exists()
