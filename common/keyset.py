"""Keyset ("seek") pagination: the next page starts after the last row shown, found through
the index that serves the order, so page 4,000 costs what page 1 costs.

A list's order is a tuple of keys ending in the unique `id`; a position is the values of
those keys in one row. The rows after a position are a few contiguous ranges of that
order — equal on the first keys and beyond the position on the next — and each range is
one query an index answers directly (equalities plus one range condition). `page_after`
reads range after range until the page is full: one query for a page that stays within
one group, a few when it crosses into the next (e.g. from breached tickets to the rest).
Works on SQLite and PostgreSQL alike; NULLs sort where each key says (the same on both).
"""

from __future__ import annotations

import binascii
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Field, Model, OrderBy, Q, QuerySet


@dataclass(frozen=True)
class Key:
    field: str  # a concrete field of the model (no joins)
    descending: bool = False
    nulls_first: bool = False  # where NULLs sort (if it can be NULL)
    nullable: bool = True  # False: no range of NULLs to read

    def flipped(self) -> Key:
        return Key(self.field, not self.descending, not self.nulls_first, self.nullable)

    def order(self) -> OrderBy:
        """The ORDER BY term; NULLs placed explicitly (SQLite's default differs from
        PostgreSQL's) only where there can be any, so an index still matches."""
        nulls: dict[str, bool] = {}
        if self.nullable:
            nulls = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        expression = F(self.field)
        return expression.desc(**nulls) if self.descending else expression.asc(**nulls)

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.field}__isnull": True}) if value is None else Q(**{self.field: value})

    def beyond(self, value: Any) -> list[Q]:
        """The ranges of this key that sort after `value`, in order."""
        if value is None:
            return [Q(**{f"{self.field}__isnull": False})] if self.nulls_first else []
        parts = [Q(**{f"{self.field}__{'lt' if self.descending else 'gt'}": value})]
        if self.nullable and not self.nulls_first:
            parts.append(Q(**{f"{self.field}__isnull": True}))
        return parts

    def bound(self, value: Any) -> Q:
        """This key at `value` or beyond it among non-NULL values (an index range)."""
        return Q(**{f"{self.field}__{'lte' if self.descending else 'gte'}": value})


def keys_of(queryset: QuerySet) -> list[Key]:
    """The keys of a queryset's order (names like "-created_at" or F(...).asc/desc()), with
    `id` appended as the tie-breaker when missing. NULLs sort as PostgreSQL sorts them
    unless the order says otherwise (last ascending, first descending: what an index
    scanned either way gives), on SQLite too."""
    meta = queryset.model._meta
    keys: list[Key] = []
    for term in queryset.query.order_by or meta.ordering:
        if isinstance(term, str):
            name, descending = term.lstrip("-"), term.startswith("-")
            nulls_first = descending
        elif isinstance(term, OrderBy) and isinstance(term.expression, F):
            name, descending = term.expression.name, term.descending
            nulls_first = bool(term.nulls_first) or (descending and not term.nulls_last)
        else:
            raise ValueError(f"Cannot paginate by {term!r}.")
        name = "id" if name == "pk" else name
        nullable = bool(getattr(meta.get_field(name), "null", False))
        keys.append(Key(name, descending, nulls_first, nullable))
    if not any(key.field == "id" for key in keys):
        keys.append(Key("id", keys[-1].descending if keys else False, nullable=False))
    return keys[: [k.field for k in keys].index("id") + 1]


def values_of(row: Model, keys: Sequence[Key]) -> list[Any]:
    return [getattr(row, key.field) for key in keys]


def _ranges(keys: Sequence[Key], position: Sequence[Any]) -> list[Q]:
    """The rows after `position` as contiguous ranges of the order, nearest first. The last
    two levels (ties on the last key before `id`, then that key beyond) are one range
    with an index bound, since ties there are rare."""
    ranges: list[Q] = []
    n = len(keys)
    for i in range(n - 1, -1, -1):
        prefix = Q()
        for key, value in zip(keys[:i], position[:i], strict=True):
            prefix &= key.equal(value)
        parts = keys[i].beyond(position[i])
        if i == n - 1 and n >= 2 and position[n - 2] is not None:
            # Merged into the next level's first range: skip it here.
            continue
        if i == n - 2 and position[i] is not None:
            tie = keys[i].equal(position[i]) & keys[n - 1].beyond(position[n - 1])[0]
            first = keys[i].bound(position[i]) & (parts[0] | tie)
            parts = [first, *parts[1:]]
        ranges.extend(prefix & part for part in parts)
    return ranges


# Reads the first `n` rows of an ordered queryset (one range of the order).
Reader = Callable[[QuerySet, int], list[Any]]


def first_rows(queryset: QuerySet, size: int) -> list[Any]:
    return list(queryset[:size])


def page_after(
    queryset: QuerySet,
    *,
    keys: Sequence[Key],
    position: Sequence[Any] | None,
    size: int,
    backwards: bool = False,
    read: Reader = first_rows,
) -> list[Model]:
    """Up to `size` rows of `queryset` after `position` (None: from the start) in the order
    of `keys` — or, `backwards`, the `size` rows before it, still returned in that order.
    `read` fetches each range (default: one LIMIT query)."""
    if backwards:
        keys = [key.flipped() for key in keys]
    queryset = queryset.order_by(*(key.order() for key in keys))
    if position is None:
        rows = read(queryset, size)
    else:
        rows = []
        for condition in _ranges(keys, position):
            rows.extend(read(queryset.filter(condition), size - len(rows)))
            if len(rows) >= size:
                break
    return rows[::-1] if backwards else rows


@dataclass
class Page:
    rows: list[Any]
    next: list[Any] | None  # the position the next page starts after (None: this is the last)
    previous: list[Any] | None  # the position the page before ends at (None: the first)


def paginate(
    queryset: QuerySet,
    *,
    keys: Sequence[Key],
    position: Sequence[Any] | None,
    size: int,
    backwards: bool = False,
    read: Reader = first_rows,
) -> Page:
    """One page of `size` rows from `position` (forwards, or `backwards` before it) with
    the positions of the pages on either side — one row more is read to know."""
    rows = page_after(
        queryset, keys=keys, position=position, size=size + 1, backwards=backwards, read=read
    )
    more = len(rows) > size
    rows = (rows[1:] if more else rows) if backwards else rows[:size]
    if not rows:
        # Past either end: the way back starts where the caller stood.
        edge = list(position) if position is not None else None
        return Page(rows, edge if backwards else None, None if backwards else edge)
    after = values_of(rows[-1], keys) if (more or backwards) else None
    has_previous = more if backwards else position is not None
    return Page(rows, after, values_of(rows[0], keys) if has_previous else None)


def signature(keys: Sequence[Key]) -> str:
    """The order a position belongs to (a cursor of another order is refused)."""
    return ",".join(("-" if k.descending else "") + k.field for k in keys)


def encode(keys: Sequence[Key], values: Sequence[Any], **extra: Any) -> str:
    """An opaque, URL-safe cursor: the order, a position in it and the caller's `extra`
    (JSON values)."""
    plain = [v.isoformat() if isinstance(v, datetime | date) else v for v in values]
    token = {"o": signature(keys), "p": plain, **extra}
    return urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(raw: str, *, keys: Sequence[Key], model: type[Model]) -> dict[str, Any]:
    """The fields of a cursor made by `encode` for this order, "position" typed per key;
    ValueError for anything else (a cursor of another order, edited or truncated)."""
    try:
        token = json.loads(urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if not isinstance(token, dict) or token.get("o") != signature(keys):
            raise ValueError("a cursor of another order")
        values = token["p"]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("malformed")
        token["position"] = [
            None
            if value is None
            else cast(Field, model._meta.get_field(key.field)).to_python(value)
            for key, value in zip(keys, values, strict=True)
        ]
    except (TypeError, KeyError, binascii.Error, UnicodeDecodeError, DjangoValidationError) as e:
        raise ValueError("not a cursor") from e
    return token
