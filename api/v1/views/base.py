"""What every API view shares: strict query parameters and the ticket lookup."""

from __future__ import annotations

from rest_framework import generics
from rest_framework.exceptions import ValidationError

from tickets.models import Ticket
from tickets.selectors import ticket_get


class StrictQueryMixin:
    """Refuse query parameters the operation does not document (typos must not pass silently)."""

    extra_query_params: tuple[str, ...] = ()

    def allowed_query_params(self) -> set[str]:
        allowed = set(self.extra_query_params)
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None and self.request.method == "GET":
            allowed |= set(filterset_class.base_filters)
        paginator = getattr(self, "paginator", None)
        if paginator is not None and self.request.method == "GET":
            names = ("page_query_param", "page_size_query_param", "cursor_query_param")
            allowed |= {getattr(paginator, n) for n in names if hasattr(paginator, n)}
        return allowed

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        allowed = self.allowed_query_params()
        unknown = sorted(k for k in request.query_params if k not in allowed)
        errors = {k: ["Unknown query parameter."] for k in unknown}
        for key, values in request.query_params.lists():
            if key not in errors and any("\x00" in v for v in values):
                errors[key] = ["Null characters are not allowed."]
        if errors:
            raise ValidationError(errors, code="unknown_parameter")


class ApiView(StrictQueryMixin, generics.GenericAPIView):
    pass


class TicketActionView(ApiView):
    """A view about one ticket the caller can see (others' tickets are 404, not 403)."""

    def get_ticket(self) -> Ticket:
        return ticket_get(user=self.request.user, reference=int(self.kwargs["ticket_id"]))
