"""PostgreSQL only: pg_trgm, the GIN index of the article search vectors, trigram indexes.

The embedded setup (SQLite) searches with icontains and needs none of these.
"""

from django.db import migrations

from common.pg_migrations import postgres_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS article_search_gin ON knowledge_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS article_title_trgm ON knowledge_article "
    "USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_tags_trgm ON knowledge_article "
    "USING gin (tags gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket "
    "USING gin (subject gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS ticket_subject_trgm",
    "DROP INDEX IF EXISTS article_tags_trgm",
    "DROP INDEX IF EXISTS article_title_trgm",
    "DROP INDEX IF EXISTS article_search_gin",
]


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [postgres_only(FORWARD, BACKWARD)]
