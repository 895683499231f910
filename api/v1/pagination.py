"""Page-number pagination with a capped page size and a capped count.

An exact COUNT over the caller's whole scope grows with the table (a manager sees every
ticket), so the count stops at `TIERDESK_API_COUNT_CAP`: below it `count` is exact, at it the
answer says `count_exact: false` and the pages stop there (the filters narrow a search further).
Counting at most cap + 1 rows keeps a first page flat however many tickets there are.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


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
