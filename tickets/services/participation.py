"""Who worked on which ticket (tickets.models.Participation), written by the ticket
services in the transaction of the work itself, one statement for any number of tickets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from common.bulk import upsert_in_bulk

from ..models import Participation


def participations_record(
    *, worked: Iterable[tuple[int, int | None, int]], at: datetime | None = None
) -> None:
    """Record each (ticket id, user id, how) — `how` a Participation flag — at `at`: new
    pairs inserted, known ones get the flag added and `last_at` moved on. Entries without
    a user (the system) are skipped."""
    flags: dict[tuple[int, int], int] = {}
    for ticket_id, user_id, how in worked:
        if user_id:
            flags[ticket_id, user_id] = flags.get((ticket_id, user_id), 0) | how
    if not flags:
        return
    at = at or timezone.now()
    upsert_in_bulk(
        Participation,
        # In key order, so two transactions touching the same rows lock them alike.
        rows=[
            {"ticket_id": t, "user_id": u, "first_at": at, "last_at": at, "how": how}
            for (t, u), how in sorted(flags.items())
        ],
        conflict=("ticket_id", "user_id"),
        merge={"last_at": "{new}.last_at", "how": "{old}.how | {new}.how"},
    )
