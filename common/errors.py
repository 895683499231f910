"""The one error type services raise for a refused request.

Views turn it into a clear 4xx page and the API into
`{"code", "detail", "fields"?}`; a service never lets a 500 escape for bad input.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A request the domain refuses, with a stable code and an HTTP status."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.fields = fields or {}


class NotAllowed(ApplicationError):
    """The user may see the object but may not do this with it."""

    status_code = 403
    default_code = "not_allowed"


class NotFound(ApplicationError):
    """The object does not exist or is not the user's to see."""

    status_code = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """The request is valid in form but not in the object's current state."""

    status_code = 409
    default_code = "conflict"


def field_error(field: str, message: str, *, code: str = "invalid") -> ApplicationError:
    """A validation failure tied to one input field."""
    return ApplicationError(message, code=code, fields={field: [message]})
