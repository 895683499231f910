"""What every browser page shares when it looks an object up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404

from common.errors import NotFound

T = TypeVar("T")


def or_404(selector: Callable[..., T], **lookup: Any) -> T:
    """Call a `*_get` selector; what the user may not see is the 404 page, like what is not."""
    try:
        return selector(**lookup)
    except NotFound as error:
        raise Http404(error.detail) from error
