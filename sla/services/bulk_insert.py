"""Insert many model rows fast: COPY on PostgreSQL, bulk_create elsewhere.

The sweep's set-based path writes hundreds of thousands of rows in a drain;
Django's bulk_create spends most of its time preparing each value for an
INSERT … UNNEST. COPY takes the rows as they are. Ids, when the caller needs
them (events referring to a new clock or escalation), are reserved from the
table's sequence first, in one query, as sla.services.bulk does.

`new_instance` builds the unsaved instances themselves without `Model.__init__`
(a drain builds ~800,000 of them; `__init__` walks every field, its descriptor
and the init signals each time).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)


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
