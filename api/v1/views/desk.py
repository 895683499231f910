"""Canned replies, merge and links, watchers and tags: thin views over the desk services."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from common.errors import NotFound, field_error
from desk.models import Macro
from desk.selectors import macro_get, macro_list, ticket_links, ticket_watchers
from desk.services import links, macros, tags, watchers
from tickets.models import Tag, Ticket
from tickets.selectors import ticket_get

from ..permissions import IsSupportStaff
from ..serializers import desk as s
from ..serializers.tickets import ReplySerializer, TicketDetailSerializer
from .base import StrictQueryMixin, TicketActionView
from .tickets import ticket_response


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _other(request: Request, ticket_id: int, field: str) -> Ticket:
    try:
        return ticket_get(user=request.user, reference=ticket_id)
    except NotFound as error:
        raise field_error(field, "No such ticket.") from error


@extend_schema(tags=["canned replies"])
class MacroListApi(StrictQueryMixin, generics.ListCreateAPIView):
    """Shared canned replies and the caller's own (staff only); POST saves a new one."""

    serializer_class = s.MacroSerializer
    permission_classes = [IsSupportStaff]
    extra_query_params = ("search",)

    def get_queryset(self) -> QuerySet[Macro]:
        return macro_list(
            user=self.request.user, search=self.request.query_params.get("search", "")
        )

    @extend_schema(request=s.MacroCreateSerializer, responses={201: s.MacroSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        values = _valid(s.MacroCreateSerializer, request)
        macro = macros.macro_save(actor=request.user, **values)
        macro = macro_get(user=request.user, macro_id=macro.pk)
        return Response(s.MacroSerializer(macro).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["canned replies"], request=s.MacroApplySerializer, responses={201: ReplySerializer}
)
class TicketMacroApplyApi(TicketActionView):
    """Send a canned reply on the ticket and apply its status and priority."""

    serializer_class = ReplySerializer
    permission_classes = [IsSupportStaff]

    def post(self, request: Request, ticket_id: int, macro_id: int) -> Response:
        values = _valid(s.MacroApplySerializer, request)
        ticket = self.get_ticket()
        macro = macro_get(user=request.user, macro_id=macro_id)
        reply = macros.macro_apply(
            macro=macro, ticket=ticket, actor=request.user, body=values.get("body")
        )
        return Response(ReplySerializer(reply).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ticket actions"], request=s.MergeSerializer, responses=TicketDetailSerializer)
class TicketMergeApi(TicketActionView):
    """Merge this ticket (the duplicate) into `original`; answers with the original."""

    serializer_class = TicketDetailSerializer

    def post(self, request: Request, ticket_id: int) -> Response:
        values = _valid(s.MergeSerializer, request)
        duplicate = self.get_ticket()
        original = _other(request, values["original"], "original")
        return ticket_response(
            request, links.ticket_merge(duplicate=duplicate, original=original, actor=request.user)
        )


@extend_schema(tags=["ticket actions"])
class TicketLinksApi(TicketActionView):
    """Links of the ticket, seen from it; POST links it to another ticket."""

    serializer_class = s.LinkSerializer
    pagination_class = None

    @extend_schema(operation_id="tickets_links_list", responses=s.LinkSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        views = ticket_links(ticket=self.get_ticket(), user=request.user)
        return Response(s.LinkSerializer(views, many=True).data)

    @extend_schema(request=s.LinkCreateSerializer, responses={201: s.LinkSerializer(many=True)})
    def post(self, request: Request, ticket_id: int) -> Response:
        values = _valid(s.LinkCreateSerializer, request)
        ticket = self.get_ticket()
        other = _other(request, values["target"], "target")
        if values["kind"] == "child":
            links.ticket_link(source=other, target=ticket, kind="parent", actor=request.user)
        else:
            links.ticket_link(source=ticket, target=other, kind=values["kind"], actor=request.user)
        views = ticket_links(ticket=ticket, user=request.user)
        return Response(s.LinkSerializer(views, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ticket actions"])
class TicketWatchersApi(TicketActionView):
    """Who watches the ticket (customers: their organisation's people); POST copies
    someone in (a colleague of the ticket's organisation, or yourself to follow)."""

    serializer_class = s.WatcherSerializer
    pagination_class = None

    @extend_schema(operation_id="tickets_watchers_list", responses=s.WatcherSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        rows = ticket_watchers(ticket=self.get_ticket(), user=request.user)
        return Response(s.WatcherSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(request=s.WatcherAddSerializer, responses={201: s.WatcherSerializer(many=True)})
    def post(self, request: Request, ticket_id: int) -> Response:
        values = _valid(s.WatcherAddSerializer, request)
        ticket = self.get_ticket()
        person = User.objects.filter(pk=values["user"]).first()
        if person is None:
            raise field_error("user", "No such user.")
        watchers.watcher_add(ticket=ticket, actor=request.user, user=person)
        rows = ticket_watchers(ticket=ticket, user=request.user)
        return Response(
            s.WatcherSerializer(rows, many=True, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["ticket actions"], request=s.TagsSerializer, responses=s.TagsSerializer)
class TicketTagsApi(TicketActionView):
    """Replace the ticket's tags (staff; names from the list at GET /tags/)."""

    serializer_class = s.TagsSerializer

    def post(self, request: Request, ticket_id: int) -> Response:
        values = _valid(s.TagsSerializer, request)
        names = tags.ticket_set_tags(
            ticket=self.get_ticket(), actor=request.user, names=values["tags"]
        )
        return Response({"tags": names})


@extend_schema(tags=["tickets"], responses=s.TagsSerializer)
class TagListApi(StrictQueryMixin, generics.GenericAPIView):
    """The list of tags (filter tickets with GET /tickets/?tag=name)."""

    serializer_class = s.TagsSerializer
    permission_classes = [IsSupportStaff]

    def get(self, request: Request) -> Response:
        return Response({"tags": list(Tag.objects.order_by("name").values_list("name", flat=True))})


@extend_schema(tags=["ticket actions"], request=None, responses={204: None})
class TicketWatcherRemoveApi(TicketActionView):
    """Stop watching (your own id), or take a colleague off the ticket."""

    def delete(self, request: Request, ticket_id: int, user_id: int) -> Response:
        ticket = self.get_ticket()
        person = User.objects.filter(pk=user_id).first()
        if person is None or not watchers.watcher_remove(
            ticket=ticket, actor=request.user, user=person
        ):
            raise NotFound("No such watcher.")
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["ticket actions"], request=None, responses={204: None})
class TicketLinkRemoveApi(TicketActionView):
    """Remove the link between this ticket and another (a merge's link stays)."""

    def delete(self, request: Request, ticket_id: int, other_id: int) -> Response:
        ticket = self.get_ticket()
        other = _other(request, other_id, "other")
        links.ticket_unlink(ticket=ticket, other=other, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
