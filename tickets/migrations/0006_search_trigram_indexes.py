"""PostgreSQL only: trigram indexes serving the queue's substring search.

Django's `icontains` is `UPPER(col::text) LIKE UPPER(%s)` on PostgreSQL, so the indexes are
on the same expression. The embedded setup (SQLite) scans and needs none of these.
"""

from django.db import migrations

from common.pg_migrations import postgres_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ticket_subject_upper_trgm ON tickets_ticket "
    "USING gin ((upper(subject::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ticket_description_upper_trgm ON tickets_ticket "
    "USING gin ((upper(description::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS reply_body_upper_trgm ON tickets_reply "
    "USING gin ((upper(body::text)) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS reply_body_upper_trgm",
    "DROP INDEX IF EXISTS ticket_description_upper_trgm",
    "DROP INDEX IF EXISTS ticket_subject_upper_trgm",
]


class Migration(migrations.Migration):
    dependencies = [("tickets", "0005_fixed_in_release_event")]

    operations = [postgres_only(FORWARD, BACKWARD)]
