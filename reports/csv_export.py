"""CSV downloads that spreadsheets open as data, never as formulas.

Excel and LibreOffice split a line on `,` or on `;` depending on the locale (German
Excel: `;`), so a value such as `Printer; =HYPERLINK(...)` becomes two cells there,
the second a formula. Every cell is quoted, and every piece of a value that could
become a cell after splitting on `,` or `;` and starts with a formula character is
prefixed with `'`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A piece starts at the beginning of the value or after a separator, leading spaces kept.
_PIECE = re.compile(r"(^|[,;])(\s*)(?=[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20])")


def csv_cell(value: Any) -> Any:
    """The value as a spreadsheet-safe cell; numbers and dates pass unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return _PIECE.sub(lambda m: f"{m.group(1)}{m.group(2)}'", value)


def csv_response(
    *, filename: str, fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> HttpResponse:
    """An attachment download of `rows` (dicts keyed by `fieldnames`), every cell guarded."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fieldnames:
        writer = csv.DictWriter(response, fieldnames=list(fieldnames), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows({key: csv_cell(row.get(key)) for key in fieldnames} for row in rows)
    return response
