"""CSV downloads stay data in every spreadsheet locale: `;` splits (German Excel) included."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from reports.csv_export import csv_cell
from tests.web.conftest import give_clock

pytestmark = pytest.mark.django_db

SEMICOLON_ATTACK = 'Printer broken;=HYPERLINK("http://evil.example","click")'


def _cells_after_splitting(line: str) -> list[str]:
    """What a spreadsheet that ignores quotes and splits on `,` and `;` would make of a line."""
    return [piece.strip().strip('"') for piece in line.replace(";", ",").split(",")]


def test_the_dashboard_csv_guards_cells_that_semicolons_would_split(client, manager, alice):
    from tickets.services import ticket_create

    ticket = ticket_create(requester=alice, subject=SEMICOLON_ATTACK, description="x")
    give_clock(ticket, due_in=timedelta(minutes=10))
    client.force_login(manager)

    response = client.get(reverse("dashboard"), {"format": "csv", "table": "at_risk"})

    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reference"] == ticket.reference
    assert rows[0]["subject"] == 'Printer broken;\'=HYPERLINK("http://evil.example","click")'
    for line in text.splitlines():
        for cell in _cells_after_splitting(line):
            assert not cell.startswith(("=", "+", "-", "@")), line
    # Quoted, so a comma or semicolon locale keeps the subject in one cell.
    assert f'"{ticket.reference}"' in text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("a;=1", "a;'=1"),
        ("a, +1", "a, '+1"),
        ("x;  @SUM(A1)", "x;  '@SUM(A1)"),
        ("-3;-4", "'-3;'-4"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("plain; text, here", "plain; text, here"),
        (42, 42),
    ],
)
def test_every_piece_a_separator_could_make_into_a_cell_is_guarded(value, expected):
    assert csv_cell(value) == expected
