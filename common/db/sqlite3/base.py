"""SQLite as the embedded setup uses it: Django's backend, with the bound-parameter limit the
linked SQLite library really has (250,000 in SQLite ≥ 3.32) instead of the old compile-time
default of 999. Bulk inserts and `IN (…)` lists then take as many statements on SQLite as on
PostgreSQL, so the query counts the tests pin hold on both databases.

Use it as ENGINE "common.db.sqlite3" (helpdesk.settings.local and test_sqlite do).
"""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    @property
    def max_query_params(self) -> int:  # type: ignore[override]
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
