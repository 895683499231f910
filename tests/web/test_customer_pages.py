"""Customer portal: my tickets, filing a ticket, the Markdown preview, page-wide qualities."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tickets.models import Attachment, Priority, Ticket

pytestmark = pytest.mark.django_db


def test_home_lists_own_tickets_with_tier_neutral_wording(client, alice, bob, make_ticket):
    mine = make_ticket(alice, subject="VPN drops")
    make_ticket(bob, subject="Bob's monitor")
    Ticket.objects.filter(pk=mine.pk).update(tier="L3")
    client.force_login(alice)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "VPN drops" in html and mine.reference in html
    assert "monitor" not in html
    assert "With our specialists" in html
    assert not re.search(r"\bL[123]\b|Level [123]", html)


def test_contact_person_sees_the_organisations_tickets(client, alice, bob, make_ticket):
    make_ticket(bob, subject="Bob's monitor")
    alice.is_organisation_contact = True
    alice.save(update_fields=["is_organisation_contact"])
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "monitor" in html and "Filed by" in html


@pytest.mark.parametrize(("who", "target"), [("l1tech", "/queue/"), ("manager", "/dashboard/")])
def test_staff_start_where_their_work_is(request, client, who, target):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == target


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("rows", [3, 30])
def test_home_query_count_does_not_grow(
    client, alice, make_ticket, rows, django_assert_num_queries
):
    for n in range(rows):
        make_ticket(alice, subject=f"Issue {n}")
    client.force_login(alice)
    # session, user, count (pager), the page of tickets
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(5):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_file_a_ticket_with_attachment_maps_impact_and_urgency(client, alice, png_file):
    client.force_login(alice)
    response = client.post(
        reverse("ticket-new"),
        {
            "subject": "Mail is down",
            "description": "Nobody can send.",
            "impact": "high",
            "urgency": "high",
            "attachments": [png_file()],
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ticket-detail", args=[ticket.reference])
    assert ticket.priority == Priority.P2 and ticket.requester == alice
    assert ticket.attachments.get().filename == "screenshot.png"


def test_the_category_is_filed_by_id_and_an_unknown_one_is_a_400_next_to_the_field(client, alice):
    from tests.factories import CategoryFactory

    network = CategoryFactory(name="Network")
    client.force_login(alice)
    form = {"subject": "S", "description": "D", "impact": "low", "urgency": "low"}
    refused = client.post(reverse("ticket-new"), form | {"category": network.pk + 1000})
    assert refused.status_code == 400 and "No such category." in refused.content.decode()
    assert not Ticket.objects.exists()
    client.post(reverse("ticket-new"), form | {"category": network.pk})
    assert Ticket.objects.get().category == network


def test_customer_cannot_pick_p1_even_by_forging_the_form(client, alice):
    client.force_login(alice)
    client.post(
        reverse("ticket-new"),
        {"subject": "S", "description": "D", "impact": "high", "urgency": "high", "priority": "P1"},
    )
    assert Ticket.objects.get().priority == Priority.P2


def test_form_errors_are_400_next_to_the_field_and_nothing_is_stored(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("ticket-new"),
        {"subject": "", "description": "D", "impact": "low", "urgency": "low"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_refused_upload_is_400_with_the_reason_and_stores_nothing(client, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    bad = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client.post(
        reverse("ticket-new"),
        {"subject": "S", "description": "D", "impact": "low", "urgency": "low", "attachments": bad},
    )
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_csrf_is_enforced_on_forms(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        reverse("ticket-new"),
        {"subject": "S", "description": "D", "impact": "low", "urgency": "low"},
    )
    assert response.status_code == 403
    assert not Ticket.objects.exists()
    page = client.get(reverse("ticket-new")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page


def test_markdown_preview_is_sanitised_and_post_only(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("markdown-preview"), {"text": "**hi** <script>x()</script> [a](javascript:x)"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>hi</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert client.get(reverse("markdown-preview")).status_code == 405


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(client, alice, make_ticket):
    ticket = make_ticket(alice)
    client.force_login(alice)
    for url in (
        reverse("home"),
        reverse("ticket-new"),
        reverse("ticket-detail", args=[ticket.reference]),
        reverse("password_change"),
    ):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = response.content.decode()
        assert "<script>" not in html and "style=" not in html and "onclick" not in html


def test_user_text_is_escaped(client, alice, make_ticket):
    make_ticket(alice, subject="<img src=x onerror=alert(1)>")
    client.force_login(alice)
    html = client.get(reverse("home")).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_german_user_gets_german_pages(client, gina):
    client.force_login(gina)
    html = client.get(reverse("home")).content.decode()
    assert 'lang="de"' in html and "Meine Tickets" in html


def test_browser_language_chooses_german_before_sign_in(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Anmelden" in html


def test_times_are_shown_in_the_users_time_zone(client, make_ticket):
    import datetime as dt

    user = UserFactory(username="tokyo", time_zone="Asia/Tokyo")
    ticket = make_ticket(user)
    instant = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=instant)
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert 'datetime="2026-03-02T08:30:00+09:00"' in html


def test_password_pages_work(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo", "new_password1": "x", "new_password2": "y"},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    client.logout()
    response = client.post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    from django.core import mail

    from accounts.tasks import send_password_reset

    # The page queues the mail; a worker sends it.
    assert mail.outbox == []
    send_password_reset.apply(args=(alice.email, "testserver", False))
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.parametrize("categories", [3, 30])
def test_new_ticket_page_query_count_does_not_grow(
    client, alice, categories, django_assert_num_queries
):
    from tests.factories import CategoryFactory

    for n in range(categories):
        CategoryFactory(name=f"Category {n}")
    client.force_login(alice)
    # session, user, categories for the select
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(4):
        response = client.get(reverse("ticket-new"))
    assert response.content.decode().count("<option") >= categories
