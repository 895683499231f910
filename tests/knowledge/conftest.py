import pytest

from knowledge.services import article_create
from tests.knowledge.corpus import ARTICLES


@pytest.fixture
def corpus(l2tech):
    """The realistic knowledge base, published and public, keyed by short name."""
    return {
        key: article_create(
            author=l2tech,
            title=title,
            body=body,
            tags=tags,
            language=language,
            visibility="public",
            status="published",
        )
        for key, language, title, tags, body in ARTICLES
    }
