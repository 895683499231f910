"""The PostgreSQL-only migration step: its SQL runs there, and nowhere else."""

import pytest
from django.apps import apps
from django.db import connection

from common.pg_migrations import postgres_only

PROBE = "pg_migrations_probe"


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "tickets_ticket"))


# A real schema editor, which SQLite refuses inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_statements_run_forward_and_back_on_postgres_only():
    step = postgres_only(
        [f"CREATE INDEX IF NOT EXISTS {PROBE} ON tickets_ticket (subject)"],
        [f"DROP INDEX IF EXISTS {PROBE}"],
    )
    with connection.schema_editor() as editor:
        step.code(apps, editor)
    assert (PROBE in _indexes()) == (connection.vendor == "postgresql")

    with connection.schema_editor() as editor:
        step.reverse_code(apps, editor)
    assert PROBE not in _indexes()
