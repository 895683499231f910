import pytest

from knowledge.selectors import article_search, with_snippets
from knowledge.services import article_create
from tests.knowledge.corpus import QUERIES


@pytest.mark.parametrize(("query", "language", "expected"), QUERIES)
def test_the_right_article_ranks_first(corpus, alice, query, language, expected):
    found = list(article_search(user=alice, text=query, language=language)[:3])
    assert found, f"nothing found for {query!r}"
    assert found[0] == corpus[expected], [a.title for a in found]


def test_title_outranks_tags_outranks_body(l2tech, alice):
    body = article_create(
        author=l2tech,
        title="Misc",
        body="the scanner jams",
        status="published",
        visibility="public",
    )
    tags = article_create(
        author=l2tech,
        title="Other",
        body="text",
        tags="scanner",
        status="published",
        visibility="public",
    )
    title = article_create(
        author=l2tech,
        title="Scanner problems",
        body="text",
        status="published",
        visibility="public",
    )
    assert list(article_search(user=alice, text="scanner")) == [title, tags, body]


def test_snippets_mark_the_words_and_escape_the_rest(l2tech, alice):
    article = article_create(
        author=l2tech,
        title="Browser cache",
        body="Clear the <script>alert(1)</script> cache & cookies of the browser.",
        status="published",
        visibility="public",
    )
    [hit] = with_snippets(list(article_search(user=alice, text="cache")), "cache")
    assert hit.article == article
    assert "<mark>cache</mark>" in hit.snippet
    assert "<script" not in hit.snippet
    assert "cache</mark> &amp; cookies" in hit.snippet


def test_customers_never_find_drafts_or_internal_articles(l2tech, alice):
    article_create(
        author=l2tech,
        title="Router secret admin steps",
        body="router",
        visibility="internal",
        status="published",
    )
    article_create(
        author=l2tech, title="Router draft", body="router", visibility="public", status="draft"
    )
    public = article_create(
        author=l2tech,
        title="Router restart",
        body="router",
        visibility="public",
        status="published",
    )
    assert list(article_search(user=alice, text="router")) == [public]
    assert len(article_search(user=l2tech, text="router")) == 3
