"""Managers set the help desk up in the Django admin; nobody else gets in."""

import pytest
from django.contrib import admin
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Organisation, Role, Tier, User
from tests.factories import TechnicianFactory


def changelist_urls():
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model._meta.app_label in {"accounts", "tickets", "sla", "escalation"}
    ]


@pytest.mark.django_db
def test_manager_opens_every_help_desk_model(client, manager):
    client.force_login(manager)
    urls = changelist_urls()
    assert len(urls) >= 12
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert client.get(reverse("admin:sla_agreement_add")).status_code == 200


@pytest.mark.django_db
def test_manager_creates_an_organisation_in_the_admin(client, manager):
    client.force_login(manager)
    add = reverse("admin:accounts_organisation_add")
    response = client.post(add, {"name": "Initech", "time_zone": "Europe/Vienna"})
    assert response.status_code == 302
    bad = client.post(add, {"name": "Umbrella", "time_zone": "Mars/Base"})
    assert bad.status_code == 200 and "not a known time zone" in bad.content.decode()
    assert set(Organisation.objects.values_list("name", flat=True)) == {"Initech"}


@pytest.mark.django_db
def test_staff_technician_without_permissions_sees_no_model(client):
    technician = TechnicianFactory(username="tess", is_staff=True)
    client.force_login(technician)
    for url in changelist_urls():
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_customer_is_sent_to_the_admin_login(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_a_new_manager_is_staff_at_once(db):
    boss = User.objects.create_user(username="boss", password="x", role=Role.MANAGER)
    assert boss.is_staff


@pytest.mark.django_db
def test_only_technicians_have_a_tier(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user(username="odd", role=Role.CUSTOMER, tier=Tier.L2)


@pytest.mark.django_db
def test_saved_language_and_time_zone_win(client, gina, alice):
    gina.time_zone = "Europe/Berlin"
    gina.save(update_fields=["time_zone"])
    client.force_login(gina)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.wsgi_request.LANGUAGE_CODE == "de"
    assert '<html lang="de"' in page.content.decode()
    client.force_login(alice)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")
    assert page.wsgi_request.LANGUAGE_CODE == "de", "no saved language: the browser decides"
    alice.language = "en"
    alice.save(update_fields=["language"])
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")
    assert page.wsgi_request.LANGUAGE_CODE == "en"


@pytest.mark.django_db
def test_history_and_engine_state_are_read_only_even_for_managers(client, manager):
    client.force_login(manager)
    for name in ("tickets_ticketevent", "sla_clock", "escalation_escalation"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name
