"""API list pagination: page numbers with a capped count (most lists), and cursors for the
ticket list (TicketPagination), whose pages stay flat at any depth.

An exact COUNT over the caller's whole scope grows with the table (a manager sees every
ticket), so the count stops at `TIERDESK_API_COUNT_CAP`: below it `count` is exact, at it the
answer says `count_exact: false` and the pages stop there (the filters narrow a search further).
Counting at most cap + 1 rows keeps a first page flat however many tickets there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from common import keyset
from common.errors import field_error
from common.keyset import Key, keys_of, paginate, values_of


class CappedPaginator(Paginator):
    @cached_property
    def _counted(self) -> int:
        """Rows up to one past the cap: enough to tell an exact count from a capped one."""
        return self.object_list[: settings.TIERDESK_API_COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, settings.TIERDESK_API_COUNT_CAP)

    @property
    def count_exact(self) -> bool:
        return self._counted <= settings.TIERDESK_API_COUNT_CAP


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_exact"] = self.page.paginator.count_exact
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            "Matching items, exact below the count cap; at the cap, count_exact is false."
        )
        answer["properties"]["count_exact"] = {"type": "boolean"}
        answer["required"] = [*answer.get("required", ["count", "results"]), "count_exact"]
        return answer


def encode_cursor(
    *, keys: Sequence[Key], row: Any, backwards: bool, count: int, exact: bool
) -> str:
    """The `cursor` of the page after `row` (before it, `backwards`), the listing's count
    carried along (what the links hold; benchmarks make one for a deep page)."""
    return keyset.encode(keys, values_of(row, keys), b=backwards, c=count, x=exact)


class TicketPagination(BasePagination):
    """Cursor (keyset) pagination for the ticket list, page numbers kept for old clients.

    Without `page`: the answer carries `next` and `previous` links with an opaque `cursor`;
    each page is read from where the last one ended through the index that serves its
    order (common.keyset), so a deep page costs what the first costs and rows filed while
    a client pages through neither repeat nor go missing. `count`/`count_exact` are
    counted on the first page only, up to TIERDESK_API_CURSOR_COUNT_CAP, and carried in
    the cursor: no page after it counts anything. With `page` (deprecated): page numbers as
    before, counted per page.
    """

    page_size = 25
    max_page_size = 100
    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    legacy: Pagination | None = None

    def paginate_queryset(self, queryset, request, view=None):
        if "page" in request.query_params:
            self.legacy = Pagination()
            return self.legacy.paginate_queryset(queryset, request, view)
        size = self._size(request)
        keys = keys_of(queryset)
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            cap = settings.TIERDESK_API_CURSOR_COUNT_CAP
            counted = queryset.order_by().values("pk")[: cap + 1].count()
            count, exact = min(counted, cap), counted <= cap
            position, backwards = None, False
        else:
            cursor = self._decode(raw, keys=keys, model=queryset.model)
            count, exact = cursor["c"], cursor["x"]
            position, backwards = cursor["position"], cursor["b"]
        page = paginate(queryset, keys=keys, position=position, size=size, backwards=backwards)

        def link(values: list[Any] | None, *, back: bool) -> str | None:
            if values is None:
                return None
            token = keyset.encode(keys, values, b=back, c=count, x=exact)
            return replace_query_param(request.build_absolute_uri(), self.cursor_query_param, token)

        self.count, self.count_exact = count, exact
        self.next_link = link(page.next, back=False)
        self.previous_link = link(page.previous, back=True)
        return page.rows

    def get_paginated_response(self, data) -> Response:
        if self.legacy is not None:
            return self.legacy.get_paginated_response(data)
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.next_link,
                "previous": self.previous_link,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        answer = Pagination().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            "Matching items when the listing started (its first page), exact below the "
            "count cap (TIERDESK_API_CURSOR_COUNT_CAP); at the cap count_exact is false "
            "(the pages go on)."
        )
        answer["properties"]["next"]["description"] = "The next page (a `cursor` link)."
        answer["properties"]["previous"]["description"] = "The page before (a `cursor` link)."
        return answer

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from `next` or `previous`.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Items per page (at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": "page",
                "required": False,
                "in": "query",
                "deprecated": True,
                "description": (
                    "Page number instead of a cursor (the answer before cursors): counts "
                    "every page and stops at the count cap. Follow `next` instead."
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]

    def _size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise field_error("page_size", "A whole number from 1.") from None
        if size < 1:
            raise field_error("page_size", "A whole number from 1.")
        return min(size, self.max_page_size)

    @staticmethod
    def _decode(raw: str, *, keys: Sequence[Key], model) -> dict[str, Any]:
        """The cursor's fields, its position typed per key; a 400 for anything else."""
        try:
            cursor = keyset.decode(raw, keys=keys, model=model)
            if not (
                isinstance(cursor.get("b"), bool)
                and isinstance(cursor.get("c"), int)
                and isinstance(cursor.get("x"), bool)
            ):
                raise ValueError("malformed")
        except ValueError:
            raise field_error(
                "cursor", "Not a cursor of this list (take it from next or previous)."
            ) from None
        return cursor
