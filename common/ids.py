"""The one parser of ids from paths, query strings and forms.

`str.isdigit()` and `int()` accept far more than ids ("²" is a digit to isdigit but not to
int; "٣" is 3 to int): an id is 1–19 ASCII digits, within PostgreSQL's bigint, above zero.
"""

from __future__ import annotations

import re

from django import forms

BIGINT_MAX = 2**63 - 1
_ID_RE = re.compile(r"[0-9]{1,19}", re.ASCII)


def parse_id(value: object) -> int | None:
    """The id `value` spells, or None for anything that is not a plain positive id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= BIGINT_MAX else None
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= BIGINT_MAX else None


class IdFormField(forms.IntegerField):
    """An IntegerField for ids: ASCII digits only (0 allowed where min_value allows it),
    within a bigint; "٣" or "²" is the field's "invalid" error like any other text."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, int) and not _ID_RE.fullmatch(str(value).strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
