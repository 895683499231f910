"""The knowledge pages: portal section, staff editor, deflection, verify panel, problems."""

import pytest
from django.urls import reverse

from accounts.models import Tier
from knowledge.models import Article, ArticleLink, Deflection, Problem
from knowledge.services import article_create, article_update, problem_link_tickets
from tickets.models import Status
from tickets.services import ticket_change_status, ticket_create, ticket_move_tier, ticket_reply


def publish(author, title, body="", **kwargs):
    kwargs.setdefault("visibility", "public")
    return article_create(
        author=author, title=title, body=body or title, status="published", **kwargs
    )


@pytest.fixture
def kb(l2tech):
    return {
        "public": publish(
            l2tech, "Printer jams on tray two", "Open tray two and remove the paper."
        ),
        "internal": publish(
            l2tech, "Printer firmware reflash", "Internal printer steps.", visibility="internal"
        ),
        "draft": article_create(
            author=l2tech, title="Printer draft", body="printer", visibility="public"
        ),
        "german": publish(l2tech, "Drucker staut Papier", "Fach zwei öffnen.", language="de"),
    }


def test_customer_portal_lists_and_finds_only_published_public(
    client, alice, kb, django_assert_num_queries
):
    client.force_login(alice)
    # session, user, any match (all words), count, page, snippets
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(7):
        page = client.get(reverse("knowledge"), {"q": "printer"})
    html = page.content.decode()
    assert "Printer jams on tray two" in html and "<mark>" in html
    assert "firmware" not in html and "Printer draft" not in html
    for key in ("internal", "draft"):
        assert client.get(reverse("article-detail", args=[kb[key].pk])).status_code == 404
    assert client.get(reverse("article-detail", args=[kb["public"].pk])).status_code == 200
    assert client.get(reverse("article-detail", args=[10**17])).status_code == 404
    assert client.get(reverse("article-new")).status_code == 404


@pytest.mark.parametrize("count", [3, 25])
def test_portal_list_query_count_does_not_grow(
    client, alice, l2tech, count, django_assert_num_queries
):
    for n in range(count):
        publish(l2tech, f"Article {n}")
    client.force_login(alice)
    # session, user, count, page, (no search: no snippet query)
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(5):
        assert client.get(reverse("knowledge")).status_code == 200


def test_l1_drafts_l2_approves_and_the_page_shows_what_changed(client, l1tech, l2tech):
    client.force_login(l1tech)
    data = {
        "title": "Badge reader fails",
        "body": "Hold the badge for two seconds.",
        "tags": "door, badge",
        "language": "en",
        "visibility": "public",
        "status": "published",
    }
    refused = client.post(reverse("article-new"), data)
    assert refused.status_code == 403 and not Article.objects.exists()
    data["status"] = "draft"
    response = client.post(reverse("article-new"), data)
    article = Article.objects.get()
    assert response.status_code == 302 and article.status == "draft"
    data["body"] = "Hold the badge for three seconds."
    client.post(reverse("article-edit", args=[article.pk]), data)
    client.force_login(l2tech)
    assert client.post(reverse("article-publish", args=[article.pk])).status_code == 302
    article.refresh_from_db()
    assert article.status == "published" and article.reviewer == l2tech and article.version == 3
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "+ Hold the badge for three seconds." in page
    assert "- Hold the badge for two seconds." in page


def test_deflection_panel_suggests_public_articles_in_my_language(client, alice, gina, kb):
    client.force_login(alice)
    form = client.get(reverse("ticket-new")).content.decode()
    assert 'data-testid="deflection-panel"' in form
    html = client.get(
        reverse("article-suggest"), {"q": "printer jams", "token": "t1"}
    ).content.decode()
    assert "Printer jams on tray two" in html
    assert "firmware" not in html and "Printer draft" not in html and "Drucker" not in html
    client.force_login(gina)  # German
    html = client.get(
        reverse("article-suggest"), {"q": "Drucker Papierstau", "token": "t2"}
    ).content.decode()
    assert "Drucker staut Papier" in html and "Printer" not in html


def test_this_solved_it_files_nothing_and_counts_once(client, alice, manager, kb):
    client.force_login(alice)
    solved = reverse("article-deflect", args=[kb["public"].pk])
    assert client.post(solved, {"token": "form-1"}).status_code == 302
    assert client.post(solved, {"token": "form-1"}).status_code == 302
    assert Deflection.objects.count() == 1
    refused = client.post(reverse("article-deflect", args=[kb["internal"].pk]), {"token": "x"})
    assert refused.status_code == 404
    assert Deflection.objects.count() == 1
    from tickets.models import Ticket

    assert not Ticket.objects.exists()
    client.force_login(manager)
    page = client.get(reverse("deflections")).content.decode()
    assert "Printer jams on tray two" in page and '<td data-testid="deflected">1</td>' in page
    client.force_login(alice)
    assert client.get(reverse("deflections")).status_code == 404


def resolved_ticket(requester, tech, subject, answer):
    ticket = ticket_create(requester=requester, subject=subject, description="help")
    ticket_reply(ticket=ticket, author=tech, body=answer)
    ticket_reply(ticket=ticket, author=tech, body="internal detail", internal=True)
    return ticket_change_status(ticket=ticket, actor=tech, status=Status.RESOLVED)


def test_verify_panel_shows_articles_and_similar_tickets_the_technician_may_see(
    client, alice, gina, l1tech, l2tech, manager, kb
):
    seen = resolved_ticket(
        gina, l1tech, "Printer jams on every print", "Remove paper from tray two."
    )
    hidden = ticket_create(requester=gina, subject="Printer jams in the basement", description="x")
    # Moved up by a manager: l1tech never worked it, so it is not theirs to read.
    ticket_move_tier(ticket=hidden, actor=manager, tier=Tier.L2, reason="needs L2")
    ticket_reply(ticket=hidden, author=l2tech, body="Secret L2 answer")
    ticket_change_status(ticket=hidden, actor=l2tech, status=Status.RESOLVED)
    ticket = ticket_create(requester=alice, subject="Printer jams", description="again")
    client.force_login(l1tech)
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert 'data-testid="verify-panel"' in html
    assert "Printer jams on tray two" in html and "Printer firmware reflash" in html
    assert "Printer draft" not in html
    assert seen.reference in html and "Remove paper from tray two." in html
    assert "internal detail" not in html
    assert hidden.reference not in html and "Secret L2 answer" not in html
    client.force_login(l2tech)
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert hidden.reference in html and "Secret L2 answer" in html
    client.force_login(alice)
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert 'data-testid="verify-panel"' not in html and "firmware" not in html


def test_technician_links_the_solving_article_once(client, alice, l2tech, kb):
    ticket = ticket_create(requester=alice, subject="Printer jams", description="again")
    client.force_login(l2tech)
    link = reverse("article-link", args=[kb["public"].pk])
    assert client.post(link, {"ticket": ticket.reference}).status_code == 302
    assert client.post(link, {"ticket": ticket.reference}).status_code == 302
    assert ArticleLink.objects.filter(ticket=ticket, article=kb["public"]).count() == 1
    html = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert 'data-testid="linked-solution"' in html
    client.force_login(alice)
    assert client.post(link, {"ticket": ticket.reference}).status_code == 404


def test_resolved_ticket_becomes_a_draft_article_in_one_step(client, alice, l2tech):
    ticket = resolved_ticket(alice, l2tech, "Scanner sends blank pages", "Clean the scanner glass.")
    client.force_login(l2tech)
    response = client.post(reverse("article-from-ticket", args=[ticket.reference]))
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/knowledge/{article.pk}/edit/"
    )
    assert article.status == "draft" and article.visibility == "internal"
    assert article.title == ticket.subject and "Clean the scanner glass." in article.body
    assert "internal" not in article.body
    open_ticket = ticket_create(requester=alice, subject="Other", description="x")
    refused = client.post(reverse("article-from-ticket", args=[open_ticket.reference]))
    assert refused.status_code == 302 and Article.objects.count() == 1


def test_linked_ticket_shows_the_problem_and_its_public_workaround(client, alice, gina, l2tech):
    problem = Problem.objects.create(
        title="Mail gateway overloaded",
        description="d",
        workaround="Use webmail until it is fixed.",
        root_cause="Disk full on relay",
        created_by=l2tech,
    )
    mine = ticket_create(requester=alice, subject="Mail slow", description="x")
    theirs = ticket_create(requester=gina, subject="Mail langsam", description="x")
    problem_link_tickets(problem=problem, actor=l2tech, ids=[mine.pk, theirs.pk])
    client.force_login(alice)
    html = client.get(reverse("ticket-detail", args=[mine.reference])).content.decode()
    assert "This is a known problem, being worked on." in html
    assert "Use webmail until it is fixed." in html and "Disk full" not in html
    problem.is_public = False
    problem.save()
    html = client.get(reverse("ticket-detail", args=[mine.reference])).content.decode()
    assert "This is a known problem, being worked on." in html and "webmail" not in html
    client.force_login(l2tech)
    html = client.get(reverse("ticket-detail", args=[mine.reference])).content.decode()
    assert "Mail gateway overloaded" in html and "Use webmail" in html


def test_problem_pages_link_tickets_by_reference(client, alice, l2tech, django_assert_num_queries):
    client.force_login(l2tech)
    response = client.post(
        reverse("problem-new"),
        {"title": "VPN concentrator", "description": "drops", "is_public": "on"},
    )
    problem = Problem.objects.get()
    assert response.status_code == 302
    tickets = [
        ticket_create(requester=alice, subject=f"VPN {n}", description="x") for n in range(3)
    ]
    refs = " ".join(t.reference for t in tickets)
    client.post(reverse("problem-link", args=[problem.pk]), {"references": refs})
    assert problem.links.count() == 3
    # session, user, problem, ticket count, ticket page
    # (+1: the unread notices in the page header)
    with django_assert_num_queries(6):
        page = client.get(reverse("problem-detail", args=[problem.pk]))
    assert all(t.reference in page.content.decode() for t in tickets)
    assert client.get(reverse("problems")).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("problems")).status_code == 404
    assert client.get(reverse("problem-detail", args=[problem.pk])).status_code == 404
    assert (
        client.post(reverse("problem-link", args=[problem.pk]), {"references": refs}).status_code
        == 404
    )


def test_editing_keeps_every_version(l2tech):
    article = publish(l2tech, "Keyboard", "Replug it.")
    article_update(article=article, editor=l2tech, data={"body": "Replug it, then restart."})
    article_update(article=article, editor=l2tech, data={"body": "Replug it, then restart."})
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]


def test_technician_links_the_ticket_to_a_known_problem_from_its_page(client, alice, l2tech):
    problem = Problem.objects.create(title="Mail relay down", description="d", created_by=l2tech)
    ticket = ticket_create(requester=alice, subject="No mail", description="x")
    client.force_login(l2tech)
    page = client.get(reverse("ticket-detail", args=[ticket.reference])).content.decode()
    assert 'data-testid="link-problem"' in page and "Mail relay down" in page
    response = client.post(
        reverse("problem-link-chosen"),
        {
            "problem": problem.pk,
            "references": ticket.reference,
            "next": f"/tickets/{ticket.reference}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.reference}/"
    assert problem.links.filter(ticket=ticket).exists()
    evil = client.post(
        reverse("problem-link-chosen"),
        {"problem": problem.pk, "references": ticket.reference, "next": "https://evil.example/"},
    )
    assert evil["Location"] == f"/problems/{problem.pk}/"
    assert client.post(reverse("problem-link-chosen"), {"problem": "x"}).status_code == 404
