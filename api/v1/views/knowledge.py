"""Known solutions and known problems: thin views over the knowledge selectors and services."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from knowledge import selectors, services
from knowledge.models import Language
from tickets.selectors import ticket_get

from ..permissions import IsSupportStaff
from ..serializers import knowledge as s
from .base import ApiView


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _article_response(article, *, code: int = 200) -> Response:
    return Response(s.ArticleSerializer(article).data, status=code)


SEARCH = OpenApiParameter("search", OpenApiTypes.STR, description="Words to look for.")
LANGUAGE = OpenApiParameter("language", OpenApiTypes.STR, enum=Language.values)


@extend_schema(tags=["knowledge"])
class ArticleListApi(ApiView):
    """Articles the caller may read (customers: published public ones), best match first."""

    extra_query_params = ("search", "language")

    @extend_schema(parameters=[SEARCH, LANGUAGE], responses=s.ArticleHitSerializer(many=True))
    def get(self, request: Request) -> Response:
        text = request.query_params.get("search", "")
        language = request.query_params.get("language") or None
        if language is not None and language not in Language.values:
            from common.errors import field_error

            raise field_error("language", "Choose en or de.")
        if text.strip():
            articles = selectors.article_search(user=request.user, text=text, language=language)
        else:
            articles = selectors.article_list(user=request.user).order_by("-updated_at", "-id")
            if language:
                articles = articles.filter(language=language)
        page = self.paginate_queryset(articles)
        hits = selectors.with_snippets(list(page), text)
        return self.get_paginated_response(s.ArticleHitSerializer(hits, many=True).data)

    @extend_schema(request=s.ArticleWriteSerializer, responses={201: s.ArticleSerializer})
    def post(self, request: Request) -> Response:
        values = _valid(s.ArticleWriteSerializer, request)
        article = services.article_create(author=request.user, **values)
        return _article_response(article, code=status.HTTP_201_CREATED)


@extend_schema(tags=["knowledge"])
class ArticleSuggestionsApi(ApiView):
    """Deflection: published public articles in the caller's language for a draft ticket."""

    extra_query_params = ("search",)
    pagination_class = None

    @extend_schema(parameters=[SEARCH], responses=s.ArticleHitSerializer(many=True))
    def get(self, request: Request) -> Response:
        language = (request.user.language or translation.get_language() or "en")[:2]
        if language not in Language.values:
            language = Language.EN
        hits = selectors.suggestions(
            user=request.user, text=request.query_params.get("search", ""), language=language
        )
        return Response(s.ArticleHitSerializer(hits, many=True).data)


@extend_schema(tags=["knowledge"])
class ArticleDetailApi(ApiView):
    @extend_schema(responses=s.ArticleSerializer)
    def get(self, request: Request, article_id: int) -> Response:
        return _article_response(selectors.article_get(user=request.user, article_id=article_id))

    @extend_schema(request=s.ArticleUpdateSerializer, responses=s.ArticleSerializer)
    def patch(self, request: Request, article_id: int) -> Response:
        values = _valid(s.ArticleUpdateSerializer, request)
        article = selectors.article_get(user=request.user, article_id=article_id)
        return _article_response(
            services.article_update(article=article, editor=request.user, data=values)
        )


@extend_schema(tags=["knowledge"], request=None, responses=s.ArticleSerializer)
class ArticlePublishApi(ApiView):
    """Approve a draft: managers and L2/L3 technicians."""

    permission_classes = [IsSupportStaff]

    def post(self, request: Request, article_id: int) -> Response:
        article = selectors.article_get(user=request.user, article_id=article_id)
        return _article_response(services.article_publish(article=article, actor=request.user))


@extend_schema(
    tags=["knowledge"],
    request=s.DeflectionSerializer,
    responses={200: s.DeflectionResultSerializer, 201: s.DeflectionResultSerializer},
)
class ArticleDeflectApi(ApiView):
    """ "This solved it": counted once per suggestion (token), files nothing."""

    def post(self, request: Request, article_id: int) -> Response:
        values = _valid(s.DeflectionSerializer, request)
        article = selectors.article_get(user=request.user, article_id=article_id)
        _row, counted = services.deflection_record(
            article=article, user=request.user, token=values["token"]
        )
        return Response(
            {"article": article.pk, "counted": counted},
            status=status.HTTP_201_CREATED if counted else status.HTTP_200_OK,
        )


@extend_schema(tags=["knowledge"], request=s.LinkTicketSerializer, responses=s.ArticleSerializer)
class ArticleLinkTicketApi(ApiView):
    """Record that this article solved a ticket (staff who can work the ticket)."""

    permission_classes = [IsSupportStaff]

    def post(self, request: Request, article_id: int) -> Response:
        values = _valid(s.LinkTicketSerializer, request)
        article = selectors.article_get(user=request.user, article_id=article_id)
        ticket = ticket_get(user=request.user, reference=values["ticket"])
        services.article_link_ticket(article=article, ticket=ticket, actor=request.user)
        return _article_response(article)


def _problem_response(request: Request, problem, *, code: int = 200) -> Response:
    ids = selectors.problem_tickets(problem=problem, user=request.user).values_list("pk", flat=True)
    context = {"ticket_ids": list(ids)}
    return Response(s.ProblemSerializer(problem, context=context).data, status=code)


@extend_schema(tags=["problems"])
class ProblemListApi(ApiView):
    """Known problems (staff)."""

    permission_classes = [IsSupportStaff]

    @extend_schema(responses=s.ProblemListSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.problem_list(user=request.user))
        return self.get_paginated_response(s.ProblemListSerializer(page, many=True).data)

    @extend_schema(request=s.ProblemWriteSerializer, responses={201: s.ProblemSerializer})
    def post(self, request: Request) -> Response:
        values = _valid(s.ProblemWriteSerializer, request)
        problem = services.problem_create(actor=request.user, **values)
        return _problem_response(request, problem, code=status.HTTP_201_CREATED)


@extend_schema(tags=["problems"])
class ProblemDetailApi(ApiView):
    permission_classes = [IsSupportStaff]

    @extend_schema(responses=s.ProblemSerializer)
    def get(self, request: Request, problem_id: int) -> Response:
        problem = selectors.problem_get(user=request.user, problem_id=problem_id)
        return _problem_response(request, problem)

    @extend_schema(request=s.ProblemUpdateSerializer, responses=s.ProblemSerializer)
    def patch(self, request: Request, problem_id: int) -> Response:
        values = _valid(s.ProblemUpdateSerializer, request)
        problem = selectors.problem_get(user=request.user, problem_id=problem_id)
        problem = services.problem_update(problem=problem, actor=request.user, data=values)
        return _problem_response(request, problem)


@extend_schema(tags=["problems"], request=s.TicketIdsSerializer, responses=s.LinkedSerializer)
class ProblemTicketsApi(ApiView):
    """Link tickets of any organisation to the problem (every id must be one you can see)."""

    permission_classes = [IsSupportStaff]

    def post(self, request: Request, problem_id: int) -> Response:
        values = _valid(s.TicketIdsSerializer, request)
        problem = selectors.problem_get(user=request.user, problem_id=problem_id)
        linked = services.problem_link_tickets(
            problem=problem, actor=request.user, ids=values["ids"]
        )
        ids = list(
            selectors.problem_tickets(problem=problem, user=request.user).values_list(
                "pk", flat=True
            )
        )
        problem = selectors.problem_get(user=request.user, problem_id=problem_id)
        data = {
            "linked": linked,
            "problem": s.ProblemSerializer(problem, context={"ticket_ids": ids}).data,
        }
        return Response(data)
