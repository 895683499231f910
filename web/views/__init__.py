"""Browser pages. Thin: read through selectors, write through services."""

from .customer import home, markdown_preview, ticket_new
from .dashboard import dashboard
from .detail import attachment_download, ticket_detail
from .queue import queue

__all__ = [
    "attachment_download",
    "dashboard",
    "home",
    "markdown_preview",
    "queue",
    "ticket_detail",
    "ticket_new",
]
