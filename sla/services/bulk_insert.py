"""Insert many model rows fast: COPY on PostgreSQL, bulk_create elsewhere.

The sweep's set-based path writes hundreds of thousands of rows in a drain;
Django's bulk_create spends most of its time preparing each value for an
INSERT … UNNEST. COPY takes the rows as they are. Ids, when the caller needs
them (events referring to a new clock or escalation), are reserved from the
table's sequence first, in one query, as sla.services.bulk does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def insert_in_bulk(objs: Sequence[M], *, need_ids: bool = False) -> list[M]:
    """Insert unsaved instances of one model; sets their pk when `need_ids`."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if need_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
            fields = [meta.pk, *fields]
        readers = [_reader(f) for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([read(obj) for read in readers])
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def _reader(field: Field) -> Callable[[Model], Any]:
    """How to get a field's COPY value from an instance: psycopg takes datetimes, numbers,
    strings and None as they are; JSON is serialised; auto_now fields are stamped."""
    attname = field.attname
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda obj: json.dumps(getattr(obj, attname), cls=encoder)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.pre_save(obj, True)
    return lambda obj: getattr(obj, attname)
