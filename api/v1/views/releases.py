"""Maintenance releases: listed to every signed-in user, published by managers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import NotAllowed
from releases import selectors, services

from ..permissions import IsManager
from ..serializers import releases as s
from .base import ApiView


def _detail(request: Request, release, *, code: int = 200) -> Response:
    data = s.ReleaseDetailSerializer(release, context={"request": request}).data
    return Response(data, status=code)


@extend_schema(tags=["releases"])
class ReleaseListApi(ApiView):
    """Published releases, newest first (staff also see drafts)."""

    @extend_schema(responses=s.ReleaseSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.release_list(user=request.user))
        return self.get_paginated_response(s.ReleaseSerializer(page, many=True).data)

    @extend_schema(request=s.ReleaseWriteSerializer, responses={201: s.ReleaseDetailSerializer})
    def post(self, request: Request) -> Response:
        if not request.user.is_support_staff:
            raise NotAllowed("Only the support team prepares releases.")
        serializer = s.ReleaseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        release = services.release_create(actor=request.user, **serializer.validated_data)
        return _detail(request, release, code=status.HTTP_201_CREATED)


@extend_schema(tags=["releases"])
class ReleaseDetailApi(ApiView):
    @extend_schema(responses=s.ReleaseDetailSerializer)
    def get(self, request: Request, release_id: int) -> Response:
        return _detail(request, selectors.release_get(user=request.user, release_id=release_id))


@extend_schema(tags=["releases"], request=None, responses=s.ReleaseDetailSerializer)
class ReleasePublishApi(ApiView):
    """Publish once to every customer (a second publish is a 409 and changes nothing)."""

    permission_classes = [IsManager]

    def post(self, request: Request, release_id: int) -> Response:
        release = selectors.release_get(user=request.user, release_id=release_id)
        return _detail(request, services.release_publish(release=release, actor=request.user))
