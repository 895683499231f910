"""Migration steps that exist only on PostgreSQL (extensions, GIN and trigram indexes).

Migrations import this module, so it stays small and stable: changing what it does
changes what old migrations do. The embedded setup (SQLite) runs none of the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations


def _statements(statements: Sequence[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


def postgres_only(forward: Sequence[str], backward: Sequence[str]) -> migrations.RunPython:
    """A reversible step: `forward` on migrate, `backward` on unapply; PostgreSQL only."""
    return migrations.RunPython(_statements(forward), _statements(backward))
