"""`Authorization: Token <key>` against the named, expiring, hashed API tokens."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.services import api_token_authenticate


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = api_token_authenticate(key=key)
        if token is None:
            raise AuthenticationFailed("Invalid, expired or revoked token.")
        return (token.user, token)
