"""What the person saw: an action decided on a stale view of the ticket is refused (409).

A page or an API client sends the tier, status or assignee it based its decision on; the
service compares them with the ticket it holds under the row lock. Nothing given, nothing
compared — except for a claim: taking a ticket someone else holds needs the holder named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext as _

from common.errors import Conflict

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Ticket


class NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()
"""`expected_assignee=NOT_GIVEN`: the caller states nothing (None means "unassigned")."""


def _status_label(status: str) -> str:
    from .models import Status

    return str(dict(Status.choices).get(status, status))


def _holder(user: User | None) -> str:
    return str(user) if user is not None else _("nobody")


def check_tier(*, ticket: Ticket, expected: str | None) -> None:
    if expected is not None and expected != ticket.tier:
        raise Conflict(
            _(
                "The ticket is at %(tier)s now, not %(expected)s: someone moved it meanwhile. "
                "Reload the ticket and decide again."
            )
            % {"tier": ticket.tier, "expected": expected},
            code="stale",
        )


def check_status(*, ticket: Ticket, expected: str | None) -> None:
    if expected is not None and expected != ticket.status:
        raise Conflict(
            _(
                "The ticket's status is “%(status)s” now, not “%(expected)s”: someone changed it "
                "meanwhile. Reload the ticket and decide again."
            )
            % {"status": ticket.get_status_display(), "expected": _status_label(expected)},
            code="stale",
        )


def check_assignee(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    expected: User | int | None | NotGiven,
) -> None:
    """Refuse an assignment decided on another assignee than the ticket has (`expected`: the
    user or user id the caller saw, None for unassigned), and a claim (assigning to oneself)
    of a ticket someone else holds unless the caller named the holder."""
    holder_id = ticket.assignee_id
    if isinstance(expected, NotGiven):
        claim = assignee is not None and assignee.pk == actor.pk
        if claim and holder_id is not None and holder_id != actor.pk:
            raise Conflict(
                _(
                    "%(holder)s is already working on this ticket. To take it over, reload "
                    "the ticket and take it again."
                )
                % {"holder": _holder(ticket.assignee)},
                code="held",
            )
        return
    expected_id = expected if expected is None or isinstance(expected, int) else expected.pk
    if expected_id != holder_id:
        raise Conflict(
            _(
                "The ticket is assigned to %(holder)s now: someone changed it meanwhile. "
                "Reload the ticket and decide again."
            )
            % {"holder": _holder(ticket.assignee)},
            code="stale",
        )
