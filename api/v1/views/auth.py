"""Token issue and revocation. Session auth (with CSRF) needs no endpoint of its own."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import ApplicationError

from ..throttles import TokenCreateIpThrottle, TokenCreateUsernameThrottle
from .base import ApiView


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


@extend_schema(tags=["auth"])
class TokenApi(ApiView):
    """POST exchanges username and password for a token; DELETE revokes the caller's token."""

    throttle_classes = [TokenCreateIpThrottle, TokenCreateUsernameThrottle]
    serializer_class = TokenSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Logging in must not depend on (or trip over CSRF for) an existing session.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(request=CredentialsSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ApplicationError(
                "Unknown username or wrong password.", code="invalid_credentials"
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
