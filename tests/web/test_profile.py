"""The profile page: name, language, time zone and notice choices, saved in one write."""

import pytest
from django.urls import reverse

from escalation.models import (
    MailMode,
    NotificationKind,
    NotificationPreference,
    NotificationSettings,
)

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {"first_name": "Alice", "last_name": "Adams", "language": "", "time_zone": "UTC"}
    return {**data, **changes}


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def channels(user) -> dict[str, tuple[bool, bool]]:
    return {
        kind: (mail, in_app)
        for kind, mail, in_app in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "mail", "in_app"
        )
    }


def test_customer_saves_name_language_zone_and_choices_per_channel(client, alice):
    client.force_login(alice)
    page = client.get(reverse("profile")).content.decode()
    # A customer is offered the notices a customer gets, by e-mail and in the app.
    assert 'name="mail_reply"' in page and 'name="app_status"' in page
    assert 'name="mail_sla_breach"' not in page and 'name="mail_mode"' not in page
    # Release notices always come by e-mail: the box is ticked and cannot be changed.
    assert 'name="mail_release" disabled id="id_mail_release" checked' in page
    response = client.post(
        reverse("profile"),
        form(
            first_name="Alicia",
            language="de",
            time_zone="Europe/Berlin",
            mail_reply="on",
            app_reply="on",
            app_status="on",  # status changes only in the app
            app_release="on",
        ),
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.first_name, alice.language, alice.time_zone) == ("Alicia", "de", "Europe/Berlin")
    assert channels(alice) == {
        NotificationKind.REPLY: (True, True),
        NotificationKind.STATUS: (False, True),
        # A disabled box cannot be unticked by leaving it out of the form.
        NotificationKind.RELEASE: (True, True),
        NotificationKind.RELEASE_FIXED: (True, False),
    }
    # The next page speaks the chosen language and shows the saved choices.
    page = client.get(reverse("profile")).content.decode()
    assert '<h1 id="profile-title">Profil</h1>' in page and "Zeitzone" in page
    assert 'name="mail_status" id="id_mail_status">' in page
    assert 'name="app_status" id="id_app_status" checked' in page


def test_release_mail_cannot_be_refused_even_by_a_forged_form(alice):
    from common.errors import ApplicationError
    from escalation.services.preferences import notification_preference_set

    with pytest.raises(ApplicationError):
        notification_preference_set(user=alice, kind=NotificationKind.RELEASE, mail=False)
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_an_unknown_time_zone_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(reverse("profile"), form(first_name="Mallory", time_zone="Mars/Olympus"))
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    alice.refresh_from_db()
    assert alice.first_name != "Mallory"
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_staff_choose_channels_and_the_rhythm_of_their_mail(client, l1tech):
    client.force_login(l1tech)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="mail_sla_breach"' in page and 'name="app_new_in_queue"' in page
    # Staff get a digest unless they choose otherwise.
    digest = page.split('name="mail_mode" value="digest"')[1]
    assert digest.split(">")[0].strip().endswith("checked")
    data = form(time_zone="Europe/Berlin", mail_mode="immediate")
    data |= {f"mail_{k}": "on" for k in NotificationKind.values if k != "new_in_queue"}
    data |= {f"app_{k}": "on" for k in NotificationKind.values}
    assert client.post(reverse("profile"), data).status_code == 302
    saved = channels(l1tech)
    assert saved[NotificationKind.NEW_IN_QUEUE] == (False, True)
    assert saved[NotificationKind.SLA_BREACH] == (True, True)
    assert NotificationSettings.objects.get(user=l1tech).mail_mode == MailMode.IMMEDIATE
    assert client.post(reverse("profile"), data | {"mail_mode": "hourly"}).status_code == 400


def test_profile_page_query_count(client, alice, l1tech, django_assert_num_queries):
    client.force_login(alice)
    # session, user, the notice choices, the header's unread count
    with django_assert_num_queries(4):
        assert client.get(reverse("profile")).status_code == 200
    client.force_login(l1tech)
    # … and the mail rhythm of staff
    with django_assert_num_queries(5):
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
