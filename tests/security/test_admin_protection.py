"""Managers administer the help desk, not the superusers, nor their own privileges; no token
keys are visible anywhere."""

import pytest
from django.urls import reverse

from accounts.models import Role, SecurityEvent, User
from accounts.services import api_token_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(
        username="root", is_superuser=True, is_staff=True, role=Role.MANAGER, organisation=None
    )


def test_a_manager_cannot_set_a_superusers_password_through_the_api(api, manager, root):
    before = User.objects.get(pk=root.pk).password

    response = api(manager).patch(
        f"/api/v1/users/{root.pk}/", {"password": "taken over 12345"}, format="json"
    )

    assert response.status_code == 403 and response.json()["code"] == "superuser"
    assert User.objects.get(pk=root.pk).password == before
    assert SecurityEvent.objects.filter(kind="access_denied", actor=manager).exists()


def test_a_manager_cannot_change_their_own_role_or_deactivate_themselves(api, manager):
    client = api(manager)
    for change in ({"role": "technician", "tier": "L1"}, {"is_active": False}):
        response = client.patch(f"/api/v1/users/{manager.pk}/", change, format="json")
        assert response.status_code == 403 and response.json()["code"] == "own_privileges"
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER and manager.is_active
    # Their own name is theirs to change, and other people are theirs to administer.
    assert client.patch(f"/api/v1/users/{manager.pk}/", {"first_name": "Max"}).status_code == 200


def test_a_manager_still_administers_technicians(api, manager, l1tech):
    response = api(manager).patch(f"/api/v1/users/{l1tech.pk}/", {"tier": "L2"}, format="json")
    assert response.status_code == 200
    l1tech.refresh_from_db()
    assert l1tech.tier == "L2"


def test_a_superuser_can_change_a_superuser(api, root):
    other = UserFactory(username="root2", is_superuser=True, is_staff=True, organisation=None)
    response = api(root).patch(f"/api/v1/users/{other.pk}/", {"first_name": "R"}, format="json")
    assert response.status_code == 200


def test_the_admin_refuses_a_manager_changes_to_a_superuser(client, manager, root):
    client.force_login(manager)
    change_url = reverse("admin:accounts_user_change", args=[root.pk])

    page = client.get(change_url)
    assert page.status_code == 200 and 'name="username"' not in page.content.decode()
    assert client.post(change_url, {"username": "mine"}).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.post(
        password_url, {"password1": "x" * 20, "password2": "x" * 20}
    ).status_code in (
        403,
        404,
    )
    root.refresh_from_db()
    assert root.username == "root" and root.check_password(PASSWORD)


def test_a_managers_admin_form_offers_no_superuser_flag_or_permissions(client, manager, l1tech):
    client.force_login(manager)
    html = client.get(reverse("admin:accounts_user_change", args=[l1tech.pk])).content.decode()
    assert 'name="role"' in html
    for field in ("is_superuser", "user_permissions", "groups", "is_staff"):
        assert f'name="{field}"' not in html

    own = client.get(reverse("admin:accounts_user_change", args=[manager.pk])).content.decode()
    assert 'name="first_name"' in own
    for field in ("role", "tier", "is_active", "is_superuser"):
        assert f'name="{field}"' not in own


def test_a_superusers_admin_form_still_offers_them(client, root, l1tech):
    client.force_login(root)
    html = client.get(reverse("admin:accounts_user_change", args=[l1tech.pk])).content.decode()
    assert 'name="is_superuser"' in html


def test_no_token_key_is_visible_in_the_admin(client, manager, alice):
    _, key = api_token_create(user=alice, name="script")
    client.force_login(manager)

    pages = [reverse("admin:index"), reverse("admin:accounts_apitoken_changelist")]
    html = "".join(client.get(url).content.decode() for url in pages)

    assert "script" in html and key[:8] in html
    assert key not in html
    assert "authtoken" not in html
