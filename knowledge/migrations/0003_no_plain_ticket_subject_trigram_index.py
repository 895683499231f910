"""PostgreSQL only: the plain trigram index on the ticket subject goes.

No query reads it: the queue's and the API's substring search use the index on
`upper(subject)` (tickets 0006), and the similar-tickets panel scores
`word_similarity(…) >= 0.35`, a function no index serves. Each ticket UPDATE that
changes an indexed column (a tier move, a breach) wrote it all the same.
"""

from django.db import migrations

from common.pg_migrations import postgres_only

FORWARD = ["DROP INDEX IF EXISTS ticket_subject_trgm"]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS ticket_subject_trgm ON tickets_ticket "
    "USING gin (subject gin_trgm_ops)"
]


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_indexes")]

    operations = [postgres_only(FORWARD, BACKWARD)]
