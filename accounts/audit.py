"""The security audit log: who tried, was refused or changed access, from where.

`security_event_record` is the one way in. Texts are made single-line (CR, LF and
other control characters are written as `\\xNN`), cut to their column's length, and
never hold a password, a token key or a reset link. The request being served (set by
`AuditRequestMiddleware`) supplies the actor, address and path when a caller has none.
"""

from __future__ import annotations

import contextvars
import logging
import re

from django.http import HttpRequest

from .models import SecurityEvent, User

log = logging.getLogger("tierdesk.security")

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "tierdesk_audit_request", default=None
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(value: object, *, limit: int) -> str:
    """`value` as text without line breaks or control characters, at most `limit` long."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value or ""))
    return text[:limit]


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the rate limits see it (REMOTE_ADDR unless proxies are
    trusted, DJANGO_NUM_PROXIES)."""
    if request is None:
        return None
    from rest_framework.throttling import BaseThrottle

    address = (BaseThrottle().get_ident(request) or "").strip()
    return address or None


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    actor: User | None = None,
    subject: User | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    request = request or _request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    address = client_address(request)
    event = SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        subject=subject,
        username=one_line(username, limit=150),
        address=address if _is_ip(address) else None,
        path=one_line(request.path if request is not None else "", limit=300),
        detail=one_line(detail, limit=500),
    )
    log.info(
        "security %s actor=%s subject=%s username=%s address=%s path=%s %s",
        event.kind,
        actor.pk if actor else "-",
        subject.pk if subject else "-",
        event.username or "-",
        event.address or "-",
        event.path or "-",
        event.detail,
    )
    return event


def _is_ip(value: str | None) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return True


class AuditRequestMiddleware:
    """Makes the request being served known to the audit log; records refused access (403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                _record_denied(request)
            return response
        finally:
            _request.reset(token)


def _record_denied(request: HttpRequest) -> None:
    from .models import SecurityEventKind

    try:
        security_event_record(
            kind=SecurityEventKind.ACCESS_DENIED,
            request=request,
            detail=f"{request.method} answered 403",
        )
    except Exception:  # noqa: BLE001 - the log must never turn a 403 into a 500
        log.exception("could not record a denied request")
