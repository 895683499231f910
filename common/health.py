"""A health check for load balancers and container orchestrators.

`/healthz` answers 200 "ok" when the database answers, 503 otherwise. No auth
and no session: it must be cheap and must not depend on a signed-in user. In
production, `HealthCheckMiddleware` answers it before host validation and the
HTTPS redirect, so a probe inside the container (plain HTTP to 127.0.0.1)
works whatever DJANGO_ALLOWED_HOSTS says.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse

HEALTH_PATH = "/healthz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def healthz(request: HttpRequest) -> HttpResponse:
    if database_ok():
        return HttpResponse("ok", content_type="text/plain")
    return HttpResponse("database unavailable", content_type="text/plain", status=503)


class HealthCheckMiddleware:
    """Answers GET /healthz first, ahead of ALLOWED_HOSTS checks and SSL redirects."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
