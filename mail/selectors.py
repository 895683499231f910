"""Shared reads of the mail app."""

from __future__ import annotations


def ticket_origin_message_id(*, ticket_id: int) -> str:
    """The Message-ID of the mail a ticket was opened from, or ''."""
    return ""
