"""API tokens: issue with a password, list, create and revoke named tokens.

Session auth (with CSRF) needs no endpoint of its own. Tokens are stored hashed, expire,
record when they were last used, and end when their user's password, role or access
changes or the user is deactivated.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import ApiToken
from accounts.services import api_token_create, api_tokens_revoke
from common.errors import ApplicationError, NotFound

from ..throttles import TokenCreateIpThrottle, TokenCreateUsernameThrottle
from .base import ApiView


class TokenOptionsSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="A label, e.g. the script."
    )
    expires_in_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Lifetime in days (default 90; at most the server's maximum, 365).",
    )


class CredentialsSerializer(TokenOptionsSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField(source="created_at", read_only=True)
    expires = serializers.DateTimeField(source="expires_at", read_only=True)
    last_used = serializers.DateTimeField(source="last_used_at", read_only=True, allow_null=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "expires", "last_used"]
        read_only_fields = fields


class NewTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The key; shown only this once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


def _new_token_response(*, user, values: dict, status_code: int) -> Response:
    token, key = api_token_create(
        user=user,
        name=values.get("name", ""),
        expires_in_days=values.get("expires_in_days"),
    )
    token.token = key
    return Response(NewTokenSerializer(token).data, status=status_code)


@extend_schema(tags=["auth"])
class TokenApi(ApiView):
    """POST exchanges username and password for a new token; DELETE revokes the token that
    authenticates the request (with a session: every token of the caller)."""

    throttle_classes = [TokenCreateIpThrottle, TokenCreateUsernameThrottle]
    serializer_class = NewTokenSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_authenticators(self):
        # Logging in must not depend on (or trip over CSRF for) an existing session.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: NewTokenSerializer},
        auth=[],
        description="Each call issues a new named token (`token` is the key, shown once). "
        "Wrong credentials, unknown and inactive users get the same 400; "
        "too many attempts a 429 with Retry-After.",
    )
    def post(self, request: Request) -> Response:
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        values = credentials.validated_data
        user = authenticate(
            request._request, username=values["username"], password=values["password"]
        )
        if user is None or not user.is_active:
            raise ApplicationError(
                "Unknown username or wrong password.", code="invalid_credentials"
            )
        return _new_token_response(user=user, values=values, status_code=status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")})
    def delete(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user)
        if isinstance(request.auth, ApiToken):
            tokens = tokens.filter(pk=request.auth.pk)
        api_tokens_revoke(tokens=tokens, reason="revoked by its owner")
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class TokenListApi(ApiView):
    """The caller's API tokens (never their keys); POST creates one for the signed-in caller."""

    serializer_class = ApiTokenSerializer
    pagination_class = None

    @extend_schema(operation_id="auth_tokens_list", responses=ApiTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(request=TokenOptionsSerializer, responses={201: NewTokenSerializer})
    def post(self, request: Request) -> Response:
        options = TokenOptionsSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        return _new_token_response(
            user=request.user, values=options.validated_data, status_code=status.HTTP_201_CREATED
        )


@extend_schema(tags=["auth"])
class TokenDetailApi(ApiView):
    serializer_class = ApiTokenSerializer

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")})
    def delete(self, request: Request, token_id: int) -> Response:
        tokens = ApiToken.objects.filter(user=request.user, pk=token_id)
        if not api_tokens_revoke(tokens=tokens, reason="revoked by its owner"):
            raise NotFound("No such token.")
        return Response(status=status.HTTP_204_NO_CONTENT)
