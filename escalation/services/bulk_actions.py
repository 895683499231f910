"""One action on many tickets (the queue's checkboxes, POST /api/v1/tickets/bulk/).

Each action is the set-based service the single-ticket action is the list of one of,
so every ticket gets its own events, clock changes and notifications, exactly once,
under the same rules and error codes, and the whole action costs a fixed number of
queries however many tickets it holds. Tickets the user cannot see answer
`not_found` (as a 404 would); tickets the user may not act on are reported with the
single action's code, and the rest still go through, unless `all_or_nothing`: then
any refusal rolls everything back (the others answer `not_applied`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ApplicationError, field_error
from tickets.models import Ticket
from tickets.services import (
    Outcome,
    tickets_add_note,
    tickets_assign,
    tickets_change_priority,
    tickets_change_status,
)

from .manual import tickets_deescalate, tickets_escalate

if TYPE_CHECKING:
    from accounts.models import User as UserType

MAX_TICKETS = 500
ACTIONS = ("assign", "status", "priority", "note", "escalate", "deescalate")


@dataclass(frozen=True)
class BulkResult:
    id: int
    ok: bool
    code: str | None = None
    detail: str | None = None
    reference: str | None = None

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"id": self.id, "ok": self.ok}
        if self.code:
            answer |= {"code": self.code, "detail": self.detail}
        return answer


class _RollBack(Exception):
    pass


def _ids(ids: Any) -> list[int]:
    if not isinstance(ids, list) or not ids:
        raise field_error("ids", _("Choose at least one ticket."), code="required")
    if len(ids) > MAX_TICKETS:
        raise field_error("ids", _("At most %(n)d tickets at once.") % {"n": MAX_TICKETS})
    clean: list[int] = []
    for value in ids:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise field_error("ids", _("Ticket ids are whole numbers."))
        if value not in clean:
            clean.append(value)
    return clean


def _run(action: str, tickets: Sequence[Ticket], actor: UserType, data: dict) -> list[Outcome]:
    if action == "assign":
        assignee = None
        if data.get("assignee") is not None:
            value = data["assignee"]
            if isinstance(value, bool) or not isinstance(value, int):
                raise field_error("assignee", _("No such user."))
            assignee = User.objects.filter(pk=value, is_active=True).first()
            if assignee is None:
                raise field_error("assignee", _("No such user."))
        return tickets_assign(tickets=tickets, actor=actor, assignee=assignee)
    if action == "status":
        return tickets_change_status(tickets=tickets, actor=actor, status=str(data.get("status")))
    if action == "priority":
        return tickets_change_priority(
            tickets=tickets, actor=actor, priority=str(data.get("priority"))
        )
    if action == "note":
        return tickets_add_note(tickets=tickets, author=actor, body=str(data.get("body") or ""))
    if action == "escalate":
        return tickets_escalate(
            tickets=tickets, actor=actor, handoff_note=str(data.get("handoff_note") or "")
        )
    return tickets_deescalate(
        tickets=tickets,
        actor=actor,
        tier=str(data.get("tier")),
        reason=str(data.get("reason") or ""),
    )


def tickets_bulk_action(
    *, actor: UserType, ids: Any, action: str, data: dict, all_or_nothing: bool = False
) -> list[BulkResult]:
    """Apply `action` (with its fields in `data`) to the tickets `ids`; one result per id,
    in the order given. Bad input for the action as a whole (unknown action, a missing
    hand-off note, an unknown assignee) raises, and nothing changes."""
    if action not in ACTIONS:
        raise field_error("action", _("Unknown action “%(a)s”.") % {"a": action})
    wanted = _ids(ids)
    visible = Ticket.objects.visible_to(actor).filter(pk__in=wanted).in_bulk()
    tickets = [visible[pk] for pk in wanted if pk in visible]
    done: dict[int, Outcome] = {}
    try:
        with transaction.atomic():
            if tickets:
                done = {o.ticket.pk: o for o in _run(action, tickets, actor, data)}
            refused = len(done) < len(wanted) or not all(o.ok for o in done.values())
            if all_or_nothing and refused:
                raise _RollBack
    except _RollBack:
        rolled_back = True
    else:
        rolled_back = False
    results = []
    for pk in wanted:
        outcome = done.get(pk)
        if outcome is None:
            results.append(BulkResult(pk, False, "not_found", _("No such ticket.")))
        elif outcome.error is not None:
            error: ApplicationError = outcome.error
            results.append(
                BulkResult(pk, False, error.code, str(error.detail), outcome.ticket.reference)
            )
        elif rolled_back:
            results.append(
                BulkResult(
                    pk,
                    False,
                    "not_applied",
                    _("Not applied: another ticket of the selection was refused."),
                    outcome.ticket.reference,
                )
            )
        else:
            results.append(BulkResult(pk, True, reference=outcome.ticket.reference))
    return results
