"""Quoted text and signatures out of a reply (mail-parser-reply, English and German)."""

from __future__ import annotations

from mailparser_reply import EmailReplyParser

LANGUAGES = ["en", "de"]


def strip_quotes(text: str) -> str:
    """The new part of a reply: no quoted history, no signature ('' if nothing is new)."""
    try:
        replies = EmailReplyParser(languages=LANGUAGES).read(text=text or "").replies
    except Exception:  # noqa: BLE001 - the parser failing must not lose the mail
        return text.strip()
    return replies[0].body.strip() if replies else text.strip()
