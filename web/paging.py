"""Pages of long lists for the browser: a cursor from where the last page ended (common.keyset)
instead of a page number, and a count that stops at a cap ("500+"), so the queue costs the
same on its first page and its thousandth, with 1,000 or 1,000,000 tickets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from common import keyset


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


def cursor_page(queryset: QuerySet, *, cursor: str, size: int, cap: int) -> CursorPage:
    """The page of `queryset` (already ordered) that `cursor` points to; an unreadable or
    stale cursor (e.g. from before the sort changed) opens the first page."""
    keys = keyset.keys_of(queryset)
    position, backwards = None, False
    if cursor:
        try:
            token = keyset.decode(cursor, keys=keys, model=queryset.model)
            position, backwards = token["position"], bool(token.get("b"))
        except ValueError:
            cursor = ""
    page = keyset.paginate(queryset, keys=keys, position=position, size=size, backwards=backwards)
    counted = queryset.order_by().values("pk")[: cap + 1].count()  # no display columns
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
