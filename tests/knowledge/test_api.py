"""The knowledge and problems endpoints of /api/v1/ with the contract's field names."""

import pytest
from rest_framework.test import APIClient

from knowledge.models import Article, Deflection, Problem
from knowledge.services import article_create
from tests.factories import api_key
from tickets.services import ticket_create


@pytest.fixture
def api():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            key = api_key(user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def test_l2_publishes_and_a_customer_finds_it_ranked(api, l2tech, alice):
    answer = api(l2tech).post(
        "/api/v1/knowledge/",
        {
            "title": "Monitor flickers",
            "body": "Replace the **HDMI** cable.",
            "language": "en",
            "visibility": "public",
            "status": "published",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    article_id = answer.json()["id"]
    found = api(alice).get("/api/v1/knowledge/", {"search": "monitor flickering"}).json()
    assert [r["id"] for r in found["results"]] == [article_id]
    row = found["results"][0]
    assert set(row) >= {"id", "title", "snippet", "language", "visibility", "status"}
    assert "<mark>" in row["snippet"]
    detail = api(alice).get(f"/api/v1/knowledge/{article_id}/").json()
    assert "<strong>HDMI</strong>" in detail["body_html"]


def test_l1_writes_drafts_only_and_l2_approves(api, l1tech, l2tech):
    refused = api(l1tech).post(
        "/api/v1/knowledge/",
        {"title": "T", "body": "B", "visibility": "public", "status": "published"},
        format="json",
    )
    assert refused.status_code == 403
    assert not Article.objects.exists()
    draft = api(l1tech).post(
        "/api/v1/knowledge/", {"title": "T", "body": "B", "visibility": "public"}, format="json"
    )
    assert draft.json()["status"] == "draft"
    article_id = draft.json()["id"]
    assert api(l1tech).post(f"/api/v1/knowledge/{article_id}/publish/").status_code == 403
    approved = api(l2tech).post(f"/api/v1/knowledge/{article_id}/publish/")
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert Article.objects.get().reviewer == l2tech
    assert api(l2tech).post(f"/api/v1/knowledge/{article_id}/publish/").status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "body": "x"},
        {"title": "x", "body": "x", "language": "fr"},
        {"title": "x", "body": "x", "visibility": "secret"},
        {"title": "x", "body": "x", "status": "archived"},
        {"title": "x\x00", "body": "x"},
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(api, l2tech, body):
    assert api(l2tech).post("/api/v1/knowledge/", body, format="json").status_code == 400
    assert not Article.objects.exists()


def test_customers_cannot_write_articles(api, alice):
    answer = api(alice).post("/api/v1/knowledge/", {"title": "x", "body": "y"}, format="json")
    assert answer.status_code == 403


def test_customers_never_see_internal_articles_or_drafts(api, l2tech, alice):
    internal = article_create(
        author=l2tech, title="Firewall bypass", body="internal firewall", status="published"
    )
    draft = article_create(
        author=l2tech, title="Firewall draft", body="firewall", visibility="public"
    )
    public = article_create(
        author=l2tech,
        title="Firewall blocks app",
        body="firewall",
        visibility="public",
        status="published",
    )
    client = api(alice)
    for params in ({"search": "firewall"}, {}):
        ids = [r["id"] for r in client.get("/api/v1/knowledge/", params).json()["results"]]
        assert ids == [public.pk]
    assert client.get(f"/api/v1/knowledge/{internal.pk}/").status_code == 404
    assert client.get(f"/api/v1/knowledge/{draft.pk}/").status_code == 404
    suggested = client.get("/api/v1/knowledge/suggestions/", {"search": "firewall"}).json()
    assert [r["id"] for r in suggested] == [public.pk]
    staff = api(l2tech).get("/api/v1/knowledge/", {"search": "firewall"}).json()
    assert {r["id"] for r in staff["results"]} == {internal.pk, draft.pk, public.pk}


def test_deflection_counts_once_per_suggestion(api, l2tech, alice):
    article = article_create(
        author=l2tech, title="Mouse", body="mouse", visibility="public", status="published"
    )
    client = api(alice)
    url = f"/api/v1/knowledge/{article.pk}/deflect/"
    assert client.post(url, {"token": "form-1"}, format="json").status_code == 201
    again = client.post(url, {"token": "form-1"}, format="json")
    assert again.status_code == 200 and again.json()["counted"] is False
    assert client.post(url, {"token": "form-2"}, format="json").status_code == 201
    assert Deflection.objects.count() == 2
    assert client.post(url, {}, format="json").status_code == 400


def test_deflecting_an_internal_article_is_a_404(api, l2tech, alice):
    article = article_create(author=l2tech, title="Secret", body="x", status="published")
    url = f"/api/v1/knowledge/{article.pk}/deflect/"
    assert api(alice).post(url, {"token": "t"}, format="json").status_code == 404
    assert not Deflection.objects.exists()


def test_problems_link_tickets_of_any_organisation(api, l2tech, alice, gina):
    mine = ticket_create(requester=alice, subject="Mail down", description="x")
    theirs = ticket_create(requester=gina, subject="Mail kaputt", description="x")
    client = api(l2tech)
    created = client.post(
        "/api/v1/problems/",
        {"title": "Mail server", "description": "Queue stuck", "workaround": "Use webmail"},
        format="json",
    )
    assert created.status_code == 201
    problem_id = created.json()["id"]
    linked = client.post(
        f"/api/v1/problems/{problem_id}/tickets/", {"ids": [mine.pk, theirs.pk]}, format="json"
    )
    assert linked.status_code == 200 and linked.json()["linked"] == 2
    again = client.post(
        f"/api/v1/problems/{problem_id}/tickets/", {"ids": [mine.pk]}, format="json"
    )
    assert again.json()["linked"] == 0
    detail = client.get(f"/api/v1/problems/{problem_id}/").json()
    assert detail["status"] == "open"
    assert sorted(detail["tickets"]) == sorted([mine.pk, theirs.pk])


def test_linking_an_unknown_ticket_links_nothing(api, l2tech, alice):
    mine = ticket_create(requester=alice, subject="Mail down", description="x")
    problem = Problem.objects.create(title="P", description="D")
    answer = api(l2tech).post(
        f"/api/v1/problems/{problem.pk}/tickets/", {"ids": [mine.pk, 999999]}, format="json"
    )
    assert answer.status_code == 400
    assert not problem.links.exists()


def test_customers_have_no_problem_endpoints(api, alice):
    assert api(alice).get("/api/v1/problems/").status_code == 403
    answer = api(alice).post("/api/v1/problems/", {"title": "x", "description": "y"}, format="json")
    assert answer.status_code == 403
