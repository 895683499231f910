"""The ticket state machine: which status may follow which, and who may move it.

Pure data and one function, so the UI, the API and the services all ask the same
question and an illegal move is refused the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import Status

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Ticket


@dataclass(frozen=True)
class Move:
    staff: bool = True
    customer: bool = False


S = Status
TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.NEW, S.OPEN): Move(),
    (S.NEW, S.PENDING_CUSTOMER): Move(),
    (S.NEW, S.ON_HOLD): Move(),
    (S.NEW, S.RESOLVED): Move(),
    (S.NEW, S.CLOSED): Move(customer=True),
    (S.OPEN, S.PENDING_CUSTOMER): Move(),
    (S.OPEN, S.ON_HOLD): Move(),
    (S.OPEN, S.RESOLVED): Move(),
    (S.OPEN, S.CLOSED): Move(customer=True),
    (S.PENDING_CUSTOMER, S.OPEN): Move(customer=True),
    (S.PENDING_CUSTOMER, S.ON_HOLD): Move(),
    (S.PENDING_CUSTOMER, S.RESOLVED): Move(),
    (S.PENDING_CUSTOMER, S.CLOSED): Move(customer=True),
    (S.ON_HOLD, S.OPEN): Move(),
    (S.ON_HOLD, S.PENDING_CUSTOMER): Move(),
    (S.ON_HOLD, S.RESOLVED): Move(),
    (S.ON_HOLD, S.CLOSED): Move(customer=True),
    # Reopening: customers only within TIERDESK_REOPEN_DAYS of the resolution.
    (S.RESOLVED, S.OPEN): Move(customer=True),
    (S.RESOLVED, S.CLOSED): Move(customer=True),
}


def allowed_targets(*, ticket: Ticket, user: User) -> list[str]:
    """Statuses this user may move the ticket to now (for menus and the API)."""
    from .permissions import transition_refusal

    return [
        target
        for (source, target) in TRANSITIONS
        if source == ticket.status
        and transition_refusal(ticket=ticket, user=user, target=target) is None
    ]
