"""Text normalisation shared by every write path."""

from __future__ import annotations


def single_line(value: str) -> str:
    """`value` on one line: every line break (CR, LF, and the other separators str.splitlines
    knows: VT, FF, NEL, U+2028/9 …) becomes one space. Subjects and names end up in mail
    headers, where a line break is a header injection or a refused message."""
    if not value:
        return ""
    return " ".join(part.strip() for part in value.splitlines() if part.strip())
