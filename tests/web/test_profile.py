"""The profile page: name, language, time zone and notice choices, saved in one write."""

import pytest
from django.urls import reverse

from escalation.models import NotificationKind, NotificationPreference

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {"first_name": "Alice", "last_name": "Adams", "language": "", "time_zone": "UTC"}
    return {**data, **changes}


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_customer_saves_name_language_zone_and_switches_off_status_mail(client, alice):
    client.force_login(alice)
    page = client.get(reverse("profile")).content.decode()
    # A customer is offered the notices a customer gets; release notices are not refusable.
    assert 'name="notify_reply"' in page and 'name="notify_status"' in page
    assert 'name="notify_sla_breach"' not in page and 'name="notify_release"' not in page
    response = client.post(
        reverse("profile"),
        form(first_name="Alicia", language="de", time_zone="Europe/Berlin", notify_reply="on"),
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.first_name, alice.language, alice.time_zone) == ("Alicia", "de", "Europe/Berlin")
    off = set(
        NotificationPreference.objects.filter(user=alice, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert off == {NotificationKind.STATUS}
    # The next page speaks the chosen language and shows the saved choices.
    page = client.get(reverse("profile")).content.decode()
    assert '<h1 id="profile-title">Profil</h1>' in page and "Zeitzone" in page
    assert 'name="notify_status" id="id_notify_status"' in page
    assert 'name="notify_reply" id="id_notify_reply" checked' in page


def test_an_unknown_time_zone_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(reverse("profile"), form(first_name="Mallory", time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    alice.refresh_from_db()
    assert alice.first_name != "Mallory"
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_staff_choose_among_the_staff_notices(client, l1tech):
    client.force_login(l1tech)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="notify_sla_breach"' in page and 'name="notify_new_in_queue"' in page
    data = form(time_zone="Europe/Berlin")
    data |= {f"notify_{k}": "on" for k in NotificationKind.values if k != "new_in_queue"}
    assert client.post(reverse("profile"), data).status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=l1tech, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert off == {NotificationKind.NEW_IN_QUEUE}


def test_profile_page_query_count(client, alice, django_assert_num_queries):
    client.force_login(alice)
    # session, user, the switched-off notices
    with django_assert_num_queries(3):
        assert client.get(reverse("profile")).status_code == 200


def test_the_language_switch_at_the_foot_of_every_page(client, alice):
    login = reverse("login")
    assert 'action="/language/"' in client.get(login).content.decode()
    # Signed out: the choice is kept in the language cookie.
    response = client.post(reverse("language-switch"), {"language": "de", "next": login})
    assert response.status_code == 302 and response["Location"] == login
    assert 'lang="de"' in client.get(login).content.decode()[:200]
    # Signed in: the choice is saved on the account; an outside address is not followed.
    client.force_login(alice)
    response = client.post(
        reverse("language-switch"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    alice.refresh_from_db()
    assert alice.language == "en"
    assert client.post(reverse("language-switch"), {"language": "fr"}).status_code == 400
    alice.refresh_from_db()
    assert alice.language == "en"
