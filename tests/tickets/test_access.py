"""Nobody sees what isn't theirs: pages and downloads answer 404."""

import pytest
from django.urls import reverse

from accounts.models import Tier
from tests.factories import TicketFactory, UserFactory
from tickets.models import Ticket
from tickets.selectors import ticket_list
from tickets.services import ticket_create, ticket_reply


def detail(ticket):
    return reverse("ticket-detail", args=[ticket.reference])


@pytest.fixture
def alices_ticket(alice, png_file):
    return ticket_create(
        requester=alice, subject="Alice's VPN", description="d", files=[png_file()]
    )


@pytest.mark.django_db
def test_customer_cannot_see_another_customers_ticket(client, alices_ticket, bob):
    client.force_login(bob)
    assert client.get(detail(alices_ticket)).status_code == 404
    attachment = alices_ticket.attachments.get()
    url = reverse("attachment-download", args=[alices_ticket.reference, attachment.pk])
    assert client.get(url).status_code == 404
    assert "Alice&#x27;s VPN" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_owner_downloads_attachment_as_attachment(client, alices_ticket, alice):
    client.force_login(alice)
    attachment = alices_ticket.attachments.get()
    url = reverse("attachment-download", args=[alices_ticket.reference, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="screenshot.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.django_db
def test_reply_to_foreign_ticket_is_404_in_ui_and_refused_in_service(client, alices_ticket, bob):
    client.force_login(bob)
    assert client.get(detail(alices_ticket)).status_code == 404
    from common.errors import NotAllowed

    with pytest.raises(NotAllowed):
        ticket_reply(ticket=alices_ticket, author=bob, body="hi")


@pytest.mark.django_db
def test_globex_sees_nothing_of_acme(client, alices_ticket, gina):
    client.force_login(gina)
    assert not ticket_list(user=gina).exists()
    assert client.get(detail(alices_ticket)).status_code == 404


@pytest.mark.django_db
def test_contact_person_sees_organisation_tickets(alices_ticket, acme, globex):
    contact = UserFactory(username="carla", organisation=acme, is_organisation_contact=True)
    other = UserFactory(username="otto", organisation=globex, is_organisation_contact=True)
    assert list(ticket_list(user=contact)) == [alices_ticket]
    assert not ticket_list(user=other).exists()


@pytest.mark.django_db
def test_technicians_see_their_tier_and_below(alice, l1tech, l2tech, l3tech, manager):
    by_tier = {tier: TicketFactory(requester=alice, tier=tier) for tier in Tier.values}
    assert set(ticket_list(user=l1tech)) == {by_tier["L1"]}
    assert set(ticket_list(user=l2tech)) == {by_tier["L1"], by_tier["L2"]}
    assert set(ticket_list(user=l3tech)) == set(by_tier.values())
    assert set(ticket_list(user=manager)) == set(by_tier.values())


@pytest.mark.django_db
def test_l1_gets_404_for_l3_ticket(client, alice, l1tech):
    ticket = TicketFactory(requester=alice, tier=Tier.L3)
    client.force_login(l1tech)
    assert client.get(detail(ticket)).status_code == 404


@pytest.mark.django_db
def test_internal_notes_never_reach_the_customer_page(
    client, alices_ticket, alice, l1tech, text_file
):
    ticket_reply(ticket=alices_ticket, author=l1tech, body="We are on it")
    ticket_reply(
        ticket=alices_ticket,
        author=l1tech,
        body="INTERNAL-SECRET",
        internal=True,
        files=[text_file("internal-log.txt")],
    )
    client.force_login(alice)
    page = client.get(detail(alices_ticket)).content.decode()
    assert "We are on it" in page
    assert "INTERNAL-SECRET" not in page and "internal-log.txt" not in page
    note_file = alices_ticket.attachments.get(filename="internal-log.txt")
    url = reverse("attachment-download", args=[alices_ticket.reference, note_file.pk])
    assert client.get(url).status_code == 404
    client.force_login(l1tech)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, alices_ticket):
    response = client.get(detail(alices_ticket))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_garbage_reference_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/tickets/HD-999999999999999999999/").status_code == 404
    assert client.get("/tickets/%00/").status_code == 404
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_login_page_and_demo_sign_in(client, alice):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "demo"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
