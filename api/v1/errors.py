"""One JSON shape for every refused API request: {"code", "detail", "fields"?}.

DRF's own exceptions (parse errors, 401/403/404/405/406/415/429), serializer
and model validation errors, the domain's ApplicationError and Django's
SuspiciousOperation (e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE) all end up
here. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ApplicationError


def _flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF/Django error trees to {"field": ["message", …]}, nested fields as `a.0.b`."""
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in errors):
            return {prefix or "non_field_errors": [str(item) for item in errors]}
        flat = {}
        for index, item in enumerate(errors):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(errors)]}


def _first_code(detail: Any, default: str) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value, default)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0], default)
    return getattr(detail, "code", None) or default


def error_body(code: str, detail: str, fields: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return body


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.detail, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = _flatten(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return Response(
            error_body("invalid", "The request is not valid.", fields),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            error_body("in_use", "This object is still in use and cannot be deleted."),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            error_body("bad_request", str(exc) or "Bad request."),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        response.data = error_body(
            _first_code(exc.detail, "invalid"), "The request is not valid.", fields
        )
        return response
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        code = _first_code(detail, exc.default_code)
        text = detail if isinstance(detail, str) else str(exc.default_detail)
        response.data = error_body(code, str(text))
    return response


@csrf_exempt
def json_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any /api/ URL that matches no route: the same shape as every other 404."""
    return JsonResponse(error_body("not_found", "No such API endpoint."), status=404)
