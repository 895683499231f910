"""Ranked article search: PostgreSQL full text per language, trigram fallback, SQLite fallback.

Each article's `search_vector` is built in its own language's configuration
(English or German stemming), weighted title (A) > tags (B) > body (C). A query is
parsed once per language and matched against the articles of that language, so
"Druckern" finds "Drucker" and "printing" finds "printer". When full text finds
nothing (a typo), trigram word similarity on title and tags answers instead. On
SQLite (the embedded setup) a plain `icontains` over the words is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Concat, Greatest
from django.utils.html import escape

from .models import SEARCH_CONFIG, Article

MAX_QUERY = 200
SNIPPET_WORDS = 30
# Private-use characters mark the hits inside ts_headline's output; the text is
# escaped first and the marks become <mark> afterwards, so an article's own HTML
# never reaches a page unescaped.
_START, _STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class Hit:
    article: Article
    rank: float
    snippet: str  # safe HTML: escaped text with <mark> around the matches


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def vector_for(language: str) -> CombinedExpression:
    config = SEARCH_CONFIG.get(language, "english")
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("tags", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def refresh_vectors(articles: QuerySet[Article]) -> None:
    """Recompute the search vectors of these articles (one UPDATE per language)."""
    if not is_postgres():
        return
    for language in SEARCH_CONFIG:
        articles.filter(language=language).update(search_vector=vector_for(language))


def clean_query(text: str | None) -> str:
    return " ".join((text or "").replace("\x00", " ").split())[:MAX_QUERY]


_WORD = re.compile(r"\w+", re.UNICODE)


def _any_word(text: str) -> str:
    """`a | b | c` of the query's words (tsquery syntax, nothing else can get in)."""
    words = [w for w in _WORD.findall(text) if len(w) > 1][:12]
    return " | ".join(dict.fromkeys(words))


def _queries(text: str, *, any_word: bool = False) -> dict[str, SearchQuery]:
    if any_word:
        raw = _any_word(text)
        return {
            lang: SearchQuery(raw, config=config, search_type="raw")
            for lang, config in SEARCH_CONFIG.items()
        }
    return {
        lang: SearchQuery(text, config=config, search_type="websearch")
        for lang, config in SEARCH_CONFIG.items()
    }


def _per_language(build, output_field):
    return Case(
        *[When(language=lang, then=build(lang)) for lang in SEARCH_CONFIG],
        output_field=output_field,
    )


def ranked(articles: QuerySet[Article], text: str, *, any_word: bool = False) -> QuerySet[Article]:
    """Full-text matches, best first, annotated with `rank` (PostgreSQL only)."""
    queries = _queries(text, any_word=any_word)
    match = Q()
    for lang, query in queries.items():
        match |= Q(language=lang, search_vector=query)
    return (
        articles.filter(match)
        .annotate(
            rank=_per_language(
                lambda lang: SearchRank(F("search_vector"), queries[lang]), FloatField()
            )
        )
        .order_by("-rank", "-updated_at", "-id")
    )


def similar(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """Trigram fallback for typos: word similarity against title and tags.

    The `%>` operator (word similarity above pg_trgm's threshold) is served by the
    trigram GIN indexes; only the rows it finds are scored."""
    return (
        articles.filter(Q(title__trigram_word_similar=text) | Q(tags__trigram_word_similar=text))
        .annotate(
            rank=Greatest(
                TrigramWordSimilarity(text, "title"),
                TrigramWordSimilarity(text, "tags"),
                output_field=FloatField(),
            )
        )
        .order_by("-rank", "-updated_at", "-id")
    )


def plain(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """SQLite: every word somewhere in title, tags or body; title hits first."""
    words = text.split()[:8]
    match = Q()
    for word in words:
        match &= Q(title__icontains=word) | Q(tags__icontains=word) | Q(body__icontains=word)
    title_hits = Q()
    for word in words:
        title_hits |= Q(title__icontains=word)
    return (
        articles.filter(match)
        .annotate(rank=Case(When(title_hits, then=Value(1.0)), default=Value(0.5)))
        .order_by("-rank", "-updated_at", "-id")
    )


def search(articles: QuerySet[Article], text: str) -> QuerySet[Article]:
    """Articles matching `text`, best first, each annotated with `rank`.

    Every word first (websearch syntax: quotes, `-word`, `or`); failing that any
    word, ranked, so a long sentence still finds the article that covers most of
    it; failing that trigram similarity, which forgives typos.
    """
    text = clean_query(text)
    if not text:
        return articles.none()
    if not is_postgres():
        return plain(articles, text)
    found = ranked(articles, text)
    if found.exists():
        return found
    if _any_word(text):
        found = ranked(articles, text, any_word=True)
        if found.exists():
            return found
    return similar(articles, text)


def top(
    articles: QuerySet[Article], text: str, *, limit: int, related: bool = False
) -> list[Article]:
    """The best `limit` matches as a list: one query when the first stage finds something.

    `related` (suggestions beside a ticket): any word counts from the start, ranked, so
    articles sharing only some of the words still show, best first.
    """
    text = clean_query(text)
    if not text:
        return []
    if not is_postgres():
        return list(plain(articles, text)[:limit])
    found = [] if related else list(ranked(articles, text)[:limit])
    if not found and _any_word(text):
        found = list(ranked(articles, text, any_word=True)[:limit])
    if not found:
        found = list(similar(articles, text)[:limit])
    return found


def snippets(articles: list[Article], text: str) -> dict[int, str]:
    """Highlighted excerpts of the bodies of these (already chosen) articles, one query."""
    text = clean_query(text)
    if not articles:
        return {}
    if not is_postgres() or not _any_word(text):
        return {a.pk: _plain_snippet(a.body, text) for a in articles}
    queries = _queries(text, any_word=True)
    rows = (
        Article.objects.filter(pk__in=[a.pk for a in articles])
        .annotate(
            headline=_per_language(
                lambda lang: SearchHeadline(
                    Concat("title", Value(". "), "body", output_field=TextField()),
                    queries[lang],
                    config=SEARCH_CONFIG[lang],
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=10,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
                TextField(),
            )
        )
        .values_list("pk", "headline")
    )
    found = {pk: _marked(headline or "") for pk, headline in rows}
    return {a.pk: found.get(a.pk) or _plain_snippet(a.body, text) for a in articles}


def _marked(headline: str) -> str:
    return str(escape(headline)).replace(_START, "<mark>").replace(_STOP, "</mark>")


def _plain_snippet(body: str, text: str) -> str:
    """The start of the body, or the words around the first hit, with the hit marked."""
    words = body.split()
    lowered = [w.lower() for w in words]
    start = 0
    for term in text.lower().split():
        hits = [i for i, w in enumerate(lowered) if term in w]
        if hits:
            start = max(hits[0] - 8, 0)
            break
    excerpt = " ".join(words[start : start + SNIPPET_WORDS])
    html = str(escape(excerpt))
    for term in {t for t in text.split() if len(t) > 2}:
        html = _mark_term(html, str(escape(term)))
    return html


def _mark_term(html: str, term: str) -> str:
    lowered, needle = html.lower(), term.lower()
    out, i = [], 0
    while True:
        j = lowered.find(needle, i)
        if j < 0:
            out.append(html[i:])
            return "".join(out)
        out += [html[i:j], "<mark>", html[j : j + len(term)], "</mark>"]
        i = j + len(term)
