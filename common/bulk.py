"""Writing and reading many rows fast: the only code that touches ORM and driver internals.

Set-based services (a sweep batch of thousands of clocks, a bulk action on 500
tickets) use these instead of per-row saves:

* `new_instance` builds unsaved instances without `Model.__init__` (which walks
  every field, its descriptor and the init signals each time);
* `cache_related` attaches a related object an instance refers to by id;
* `insert_in_bulk` inserts instances of one model: COPY on PostgreSQL (ids reserved
  from the sequence first when the caller needs them), `bulk_create` elsewhere;
* `update_in_bulk` sets columns of many rows, each row its own values: a single
  UPDATE for one row, COPY into a temporary table and one UPDATE … FROM on
  PostgreSQL, one prepared UPDATE per row (executemany) elsewhere;
* `upsert_in_bulk` inserts rows and merges those already there in one
  INSERT … ON CONFLICT … DO UPDATE (PostgreSQL and SQLite alike);
* `fetch` reads the instances of a plain queryset with psycopg's C timestamp loader
  when that gives exactly what Django's gives;
* `pending_on_commit` finds a callback of a type already queued for this
  transaction's commit (to merge work instead of queueing it twice).

Domain code imports these and never `_state`, `run_on_commit` or psycopg.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Sequence
from datetime import UTC
from functools import cache
from typing import Any, TypeVar, cast

from django.db import connection, models, transaction
from django.db.models import Field, Model, QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)
J = TypeVar("J")

# From this many rows on, inserts go by COPY on PostgreSQL.
COPY_FROM = 50


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# ----------------------------------------------------------------------------- instances


@cache
def _blueprint(
    model: type[Model],
) -> tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]], dict[str, str]]:
    """(static defaults by attname, callable defaults, relation name → attname)."""
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, Callable[[], Any]]] = []
    relations: dict[str, str] = {}
    for f in model._meta.concrete_fields:
        if f.is_relation and f.attname != f.name:
            relations[f.name] = f.attname
        if f.has_default() and callable(f.default):
            dynamic.append((f.attname, f.default))
        else:
            static[f.attname] = f.get_default()
    return static, dynamic, relations


def new_instance(model: type[M], **values: Any) -> M:
    """`model(**values)` for a row about to be inserted in bulk: same attribute values
    (defaults included), relations given as objects cached as Django caches them.
    Values are by attname (`ticket_id`) or, for relations, by name (`actor=None`)."""
    if (pre_init.receivers or post_init.receivers) and (
        pre_init.has_listeners(model) or post_init.has_listeners(model)
    ):
        return model(**values)  # someone listens to instance creation: the full path
    static, dynamic, relations = _blueprint(model)
    obj = model.__new__(model)
    attrs = obj.__dict__
    attrs.update(static)
    for attname, make in dynamic:
        if attname not in values:
            attrs[attname] = make()
    attrs.update(values)
    state = attrs["_state"] = ModelState()
    for name in relations.keys() & values.keys():
        # A relation given by name (`actor=user`): its id, and the object cached.
        value = attrs.pop(name)
        attrs[relations[name]] = None if value is None else value.pk
        state.fields_cache[name] = value
    return obj


def cache_related(obj: Model, **related: Model | None) -> None:
    """`obj.<name> = value` for relations whose id `obj` already holds: the cache only,
    without the descriptor's checks (a sweep batch attaches tens of thousands)."""
    obj._state.fields_cache.update(related)


# ----------------------------------------------------------------------------- inserts


def insert_in_bulk(objs: Sequence[M], *, need_ids: bool = False) -> list[M]:
    """Insert unsaved instances of one model; sets their pk when `need_ids` (always set
    on databases whose bulk_create returns ids)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if not is_postgres() or len(objs) < COPY_FROM:
        # A few rows: one INSERT … RETURNING is as fast, and needs no ids reserved first.
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
        row_of = _row_reader(fields)
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for obj in objs:
                write(row_of(obj))
    alias = connection.alias
    for obj in objs:
        state = obj._state
        state.adding = False
        state.db = alias
    return objs


def _row_reader(fields: list[Field]) -> Callable[[Model], Sequence[Any]]:
    """How to get a row's COPY values from an instance: psycopg takes datetimes, numbers,
    strings and None as they are; JSON is serialised; auto_now fields are stamped.
    Plain columns are read in one `attrgetter` call (C), the others fixed up after."""
    special: list[tuple[int, Callable[[Model], Any]]] = []
    for i, field in enumerate(fields):
        if isinstance(field, models.JSONField):
            special.append((i, _json_reader(field)))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            special.append((i, _stamp_reader(field)))
    plain: Callable[[Model], Sequence[Any]] = operator.attrgetter(*(f.attname for f in fields))
    if len(fields) == 1:
        single = plain
        plain = lambda obj: (single(obj),)  # noqa: E731 - attrgetter of one name is no tuple
    if not special:
        return plain

    def read(obj: Model) -> list[Any]:
        row = list(plain(obj))
        for i, reader in special:
            row[i] = reader(obj)
        return row

    return read


def _json_reader(field: Field) -> Callable[[Model], Any]:
    attname, encoder = field.attname, field.encoder  # type: ignore[attr-defined]
    if encoder is None:
        dumps = json.dumps
        return lambda obj: dumps(getattr(obj, attname))
    return lambda obj: json.dumps(getattr(obj, attname), cls=encoder)


def _stamp_reader(field: Field) -> Callable[[Model], Any]:
    return lambda obj: field.pre_save(obj, True)


def upsert_in_bulk(
    model: type[Model],
    *,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    merge: dict[str, str],
) -> None:
    """Insert `rows` (attname → value, the same keys each) in one statement; a row whose
    `conflict` columns (a unique constraint) exist already sets each column of `merge`
    to its SQL expression instead, where `{old}` is the stored row and `{new}` the one
    offered (e.g. `{"how": "{old}.how | {new}.how"}`). Nothing is read back."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    names = list(rows[0])
    fields = [cast(Field, meta.get_field(name)) for name in names]
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sets = ", ".join(
        f"{quote(cast(Field, meta.get_field(name)).column)} = "
        + expression.format(old=table, new="excluded")
        for name, expression in merge.items()
    )
    keys = ", ".join(quote(cast(Field, meta.get_field(name)).column) for name in conflict)
    params = [
        field.get_db_prep_value(row[name], connection)
        for row in rows
        for name, field in zip(names, fields, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608
            f"ON CONFLICT ({keys}) DO UPDATE SET {sets}",
            params,
        )


# ----------------------------------------------------------------------------- updates


def update_in_bulk(
    model: type[Model], *, rows: Sequence[tuple[int, dict[str, Any]]], columns: Sequence[str]
) -> None:
    """Set `columns` (attnames) of many rows, each (pk, values) its own values."""
    if not rows:
        return
    fields = [cast(Field, model._meta.get_field(name)) for name in columns]
    if len(rows) == 1:
        ((pk, values),) = rows
        model._default_manager.filter(pk=pk).update(**{c: values[c] for c in columns})
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = [connection.ops.quote_name(field.column) for field in fields]
    if not is_postgres():
        # One prepared UPDATE per row via executemany is linear, where bulk_update's CASE
        # chains are quadratic.
        adapt = [
            connection.ops.adapt_datetimefield_value
            if field.get_internal_type() == "DateTimeField"
            else None
            for field in fields
        ]
        params = [
            [
                values[column] if to_db is None else to_db(values[column])
                for column, to_db in zip(columns, adapt, strict=True)
            ]
            + [pk]
            for pk, values in rows
        ]
        sets = ", ".join(f"{name} = %s" for name in quoted)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)  # noqa: S608
        return
    # The temporary table lives until the end of the transaction (ON COMMIT DROP); one per
    # table and column set (a transaction may update several), named by a digest of the
    # columns (names are cut at 63 characters, and two sets must never share a table).
    digest = hashlib.blake2s("|".join(columns).encode(), digest_size=6).hexdigest()
    temp = connection.ops.quote_name(f"bulk_{model._meta.db_table[:40]}_{digest}")
    definitions = ", ".join(
        f"{name} {field.db_type(connection)}" for name, field in zip(quoted, fields, strict=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} (id bigint PRIMARY KEY, "
            f"{definitions}) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {temp}")
        with cursor.cursor.copy(f"COPY {temp} (id, {', '.join(quoted)}) FROM STDIN") as copy:
            for pk, values in rows:
                copy.write_row((pk, *(values[column] for column in columns)))
        sets = ", ".join(f"{name} = v.{name}" for name in quoted)
        cursor.execute(
            f"UPDATE {table} AS t SET {sets} FROM {temp} AS v "  # noqa: S608
            "WHERE t.id = v.id"
        )


# ----------------------------------------------------------------------------- reads


def _fast_timestamps() -> bool:
    """Whether psycopg's own (C) timestamptz loader gives exactly what Django's gives: the
    session and Django both on UTC, so both return datetimes with `timezone.utc`."""
    if not is_postgres():
        return False
    connection.ensure_connection()
    return (
        connection.timezone is UTC
        and connection.connection.info.parameter_status("TimeZone") == "UTC"
    )


def fetch(queryset: QuerySet[M], *, skip: frozenset[str] = frozenset()) -> list[M]:
    """The instances of a plain model queryset (filters, order, locking kept), fields in
    `skip` deferred. On PostgreSQL the rows are read with psycopg's C timestamp loader
    (Django's own loader is Python, and a sweep batch loads ~15,000 timestamps); only for
    models with no field that converts values from the database."""
    model = queryset.model
    names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
    if not _fast_timestamps():
        return list(queryset.defer(*skip) if skip else queryset)
    sql, params = queryset.values_list(*names).query.sql_with_params()
    alias = connection.alias
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.adapters.register_loader("timestamptz", _timestamptz_loader())
        cursor.execute(sql, params)
        rows = raw.fetchall()
    return _loaded(model, alias, names, rows)


def _loaded(model: type[M], alias: str, names: list[str], rows: Sequence[Sequence[Any]]) -> list[M]:
    """`model.from_db(alias, names, row)` for each row, without `Model.__init__` (its
    per-field checks cost a sweep batch more than reading the rows) when nobody listens to
    instance creation: the same attribute values, fields not in `names` deferred."""
    if (pre_init.receivers or post_init.receivers) and (
        pre_init.has_listeners(model) or post_init.has_listeners(model)
    ):
        return [model.from_db(alias, names, row) for row in rows]
    new = model.__new__
    loaded = []
    for row in rows:
        obj = new(model)
        attrs = obj.__dict__
        attrs.update(zip(names, row))
        state = attrs["_state"] = ModelState()
        state.adding = False
        state.db = alias
        loaded.append(obj)
    return loaded


def _timestamptz_loader() -> Any:
    import psycopg  # PostgreSQL only: the embedded (SQLite) setup may run without it

    return psycopg.adapters.get_loader(
        psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
    )


def where_sql(queryset: QuerySet) -> tuple[str, list[Any]]:
    """The WHERE clause of a queryset (columns qualified by its table) and its parameters,
    for a raw statement on the same table that must select exactly the same rows."""
    query = queryset.query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return sql, list(params)


# ----------------------------------------------------------------------------- commit hooks


def pending_on_commit(kind: type[J]) -> J | None:
    """The callback of type `kind` already queued with `transaction.on_commit` in the
    current transaction, if any (so a caller can add to it instead of queueing another)."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        return None
    for _savepoints, job, *_rest in conn.run_on_commit:
        if isinstance(job, kind):
            return job
    return None
