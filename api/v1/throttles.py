"""Rate limits on token, ticket and reply creation, per user (and per IP where it counts).

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at request time (so
tests and operators can change them) and counters live in the default cache
(Redis in production and tests, local memory in the embedded setup), read and
written through `common.cache.guarded_cache`: while Redis is down the limits are
counted per process instead, never a 500. Only POST is throttled; reads are not.
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from common.cache import guarded_cache
from common.ratelimit import rate_limit_hit


class _PostThrottle(SimpleRateThrottle):
    scope = ""
    cache = guarded_cache

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        """Counted atomically (common.ratelimit): concurrent requests cannot exceed the rate."""
        if request.method != "POST":
            return True
        self._wait = rate_limit_hit(
            scope=self.scope, ident=self.get_cache_key(request, view) or "", rate=self.get_rate()
        )
        return self._wait is None

    def wait(self):
        return getattr(self, "_wait", None)

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenCreateIpThrottle(_PostThrottle):
    scope = "token_ip"

    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))


class TokenCreateUsernameThrottle(_PostThrottle):
    """Per account being guessed at, whatever the number of IPs used."""

    scope = "token_user"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username:
            return None
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.key_for(digest)


class TicketCreateUserThrottle(_PostThrottle):
    scope = "ticket_user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.key_for(str(request.user.pk))


class TicketCreateIpThrottle(_PostThrottle):
    scope = "ticket_ip"

    def get_cache_key(self, request, view):
        return self.key_for(self.get_ident(request))


class ReplyCreateUserThrottle(TicketCreateUserThrottle):
    """Replies and notes per user: a script gone wrong cannot flood a ticket's requester."""

    scope = "reply_user"
