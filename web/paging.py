"""Pages of long lists for the browser: a cursor from where the last page ended (common.keyset)
instead of a page number, and a count that stops at a cap ("500+"), so the queue costs the
same on its first page and its thousandth, with 1,000 or 1,000,000 tickets.

A list can be narrowed by a filter that no index of the list's order serves (the queue's
search): `Narrowing` gives it twice, as a test of one row and as a set of rows. A page walks
the order and tests rows as they come — a word in many tickets fills the page within the
first rows — and reads the set instead only when the first `WALK` rows of the order hold
too few matches (a rare word: few matching rows, which the set's own indexes find fast).
Either way the page is the same rows in the same order; only the cost differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL

from common import keyset

# Rows of the order a page tests one by one before it reads the matching set instead, and
# rows a count tests (in any order) before it counts the set: the most a common word costs.
WALK = 1000
COUNT_WALK = 3000


@dataclass(frozen=True)
class Narrowing:
    """One filter in two forms that select the same rows: `row` is cheap on one row (tested
    while walking an index of the list's order), `parts` a union of sets, each cheap to
    read through its own index (e.g. the tickets whose text matches, the tickets with a
    matching reply)."""

    row: Q
    parts: tuple[Q, ...]


def _union(queryset: QuerySet, parts: tuple[Q, ...], size: int) -> Q:
    """The first `size` rows of `queryset` (in its order) of each part: together they hold
    the first `size` rows of the union, and each is one read through the part's index."""
    condition = Q()
    for part in parts:
        condition |= Q(among(queryset.filter(part).values("pk")[:size]))
    return condition


@dataclass
class CursorPage:
    rows: list[Any]
    count: int  # matching rows, at most `cap`
    capped: bool  # there are more than `count`
    cursor: str  # the cursor this page was read from ("" for the first page)
    next_cursor: str
    previous_cursor: str

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def cursor_page(
    queryset: QuerySet, *, cursor: str, size: int, cap: int, narrowing: Narrowing | None = None
) -> CursorPage:
    """The page of `queryset` (already ordered, narrowed by `narrowing` if given) that
    `cursor` points to; an unreadable or stale cursor (e.g. from before the sort changed)
    opens the first page."""
    keys = keyset.keys_of(queryset)
    position, backwards = None, False
    if cursor:
        try:
            token = keyset.decode(cursor, keys=keys, model=queryset.model)
            position, backwards = token["position"], bool(token.get("b"))
        except ValueError:
            cursor = ""
    reader = WalkingReader(narrowing) if narrowing else None
    page = keyset.paginate(
        queryset,
        keys=keys,
        position=position,
        size=size,
        backwards=backwards,
        read=reader or keyset.first_rows,
    )
    # A page that had to read the matching set (a rare word) says the count would too.
    walk = not (reader and reader.sets_read)
    [counted] = bounded_counts([(queryset, narrowing)], cap=cap, walk=walk)
    return CursorPage(
        rows=page.rows,
        count=min(counted, cap),
        capped=counted > cap,
        cursor=cursor,
        next_cursor=keyset.encode(keys, page.next, b=False) if page.next is not None else "",
        previous_cursor=keyset.encode(keys, page.previous, b=True)
        if page.previous is not None
        else "",
    )


class WalkingReader:
    """A keyset reader for a narrowed list, one query when the walk decides: the matches
    among the first WALK rows of the order, plus the WALK-th row itself as a marker that the
    walk did not reach the end. Those matches are the first of the whole list when there are
    `size` of them or there is no marker; otherwise (few matches that early: a rare word)
    the matching set is read in the same order (a second query; `sets_read` counts them)."""

    def __init__(self, narrowing: Narrowing) -> None:
        self.narrowing = narrowing
        self.sets_read = 0

    def __call__(self, queryset: QuerySet, size: int) -> list[Any]:
        window = queryset.values("pk")
        last = Subquery(window[WALK - 1 : WALK])
        rows = list(
            queryset.filter(among(window[:WALK]))
            .annotate(
                search_hit=ExpressionWrapper(self.narrowing.row, output_field=BooleanField()),
                search_end=ExpressionWrapper(Q(pk=last), output_field=BooleanField()),
            )
            .filter(Q(search_hit=True) | Q(pk=last))[: size + 1]
        )
        hits = [row for row in rows if row.search_hit]
        if len(hits) >= size or not any(row.search_end for row in rows):
            return hits[:size]
        self.sets_read += 1
        # Each part's first ids (narrow rows sorted), then the page's display columns.
        return list(queryset.filter(_union(queryset, self.narrowing.parts, size))[:size])


def among(window: QuerySet) -> Any:
    """A filter: `pk` is one of the rows of `window` (a sliced `values("pk")`). On PostgreSQL
    `id = ANY(ARRAY(window))`: the window is read once, first, and its rows fetched by primary
    key — a semi-join could instead walk the whole order and test each row against it."""
    if connections[window.db].vendor != "postgresql":
        return Q(pk__in=window)
    from django.contrib.postgres.expressions import ArraySubquery

    return _AnyOf(F("pk"), ArraySubquery(window))


class _AnyOf(Func):
    """`value = ANY(array)` (PostgreSQL)."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def bounded_counts(
    lists: Sequence[tuple[QuerySet, Narrowing | None]], *, cap: int, walk: bool = True
) -> list[int]:
    """Each list's rows counted up to `cap + 1` (more means "more than `cap`"), all in one
    query. A narrowed list is counted among any COUNT_WALK of its rows first, which decides
    when the matches there exceed the cap or those are all its rows; only the lists that
    leaves open have their matching sets counted, in a second query (at once, without
    `walk`: when the caller already knows the matches are few)."""
    postgres = connection.vendor == "postgresql"
    selects: list[str] = []
    params: list[Any] = []
    for queryset, narrowing in lists:
        lean = queryset.order_by().values("pk")  # no display columns, no order
        if narrowing is None or not walk:
            matching = lean.filter(_union(lean, narrowing.parts, cap + 1)) if narrowing else lean
            sql, query_params = matching[: cap + 1].query.sql_with_params()
            selects += [f"(SELECT COUNT(*) FROM ({sql}) AS c)", "NULL"]  # noqa: S608
            params.extend(query_params)
            continue
        window = lean[:COUNT_WALK]
        window_sql, window_params = window.query.sql_with_params()
        model = queryset.model._default_manager
        if postgres:
            # The window's ids read once (one index walk), then its first cap + 1 matches.
            hits = model.filter(_AnyOf(F("pk"), RawSQL("search_window.ids", ())))
        else:
            hits = model.filter(pk__in=window)
        hits = hits.filter(narrowing.row).order_by().values("pk")[: cap + 1]
        hits_sql, hits_params = hits.query.sql_with_params()
        if postgres:
            selects += [
                f"(SELECT ARRAY[(SELECT COUNT(*) FROM ({hits_sql}) AS h),"  # noqa: S608
                f" cardinality(search_window.ids)]"
                f" FROM (SELECT ARRAY({window_sql}) AS ids OFFSET 0) AS search_window)"
            ]
            params.extend([*hits_params, *window_params])
        else:
            selects += [
                f"(SELECT COUNT(*) FROM ({hits_sql}) AS h)",  # noqa: S608
                f"(SELECT COUNT(*) FROM ({window_sql}) AS w)",  # noqa: S608
            ]
            params.extend([*hits_params, *window_params])
    fetched = iter(_fetch(selects, params))
    counts: list[int] = []
    rest: list[tuple[int, QuerySet]] = []
    for index, (queryset, narrowing) in enumerate(lists):
        first = next(fetched)
        hits, walked = first if isinstance(first, list) else (first, next(fetched))
        counts.append(hits)
        if narrowing is not None and walk and hits <= cap and walked >= COUNT_WALK:
            lean = queryset.order_by().values("pk")
            rest.append((index, lean.filter(_union(lean, narrowing.parts, cap + 1))))
    if rest:
        selects, params = [], []
        for _index, matching in rest:
            sql, query_params = matching[: cap + 1].query.sql_with_params()
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS c)")  # noqa: S608
            params.extend(query_params)
        for (index, _matching), counted in zip(rest, _fetch(selects, params), strict=True):
            counts[index] = counted
    return counts


def _fetch(selects: list[str], params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return list(cursor.fetchone())
