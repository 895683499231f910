"""Checks a manager's input must pass before it drives deadlines (admin forms, model clean)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Tier
from tickets.models import Priority

from .calendars import BusinessCalendar, CalendarError
from .models import ClockKind


class TargetRow(NamedTuple):
    kind: str
    tier: str
    priority: str
    vip: bool
    minutes: int | None


def _table_keys(*, vip: bool) -> set[tuple[str, str, str, bool]]:
    response = {(ClockKind.RESPONSE.value, t, p, vip) for t in Tier.values for p in Priority.values}
    per_ticket = {
        (kind, "", p, vip)
        for kind in (ClockKind.RESOLUTION.value, ClockKind.NEXT_RESPONSE.value)
        for p in Priority.values
    }
    return response | per_ticket


def target_table_errors(rows: Iterable[TargetRow]) -> list[str]:
    """Problems with an agreement's targets: none means every deadline can be computed.

    The regular table must be complete (response per L1–L3 × P1–P4, resolution and
    next response per P1–P4); VIP targets are optional, but if there are any the VIP table
    must be complete too, so a VIP ticket never mixes two tables by accident.
    """
    errors: list[str] = []
    seen: dict[tuple[str, str, str, bool], int] = {}
    for row in rows:
        key = (row.kind, row.tier if row.kind == ClockKind.RESPONSE else "", row.priority, row.vip)
        if row.minutes is None or row.minutes <= 0:
            errors.append(_("Target minutes must be positive (%(key)s).") % {"key": _label(key)})
        if row.kind == ClockKind.RESPONSE and not row.tier:
            errors.append(_("A response target needs a tier."))
        if row.kind not in ClockKind.values:
            errors.append(_("Unknown kind of target “%(kind)s”.") % {"kind": row.kind})
        elif row.kind != ClockKind.RESPONSE and row.tier:
            errors.append(_("Only response targets have a tier (%(key)s).") % {"key": _label(key)})
        if key in seen:
            errors.append(_("Duplicate target %(key)s.") % {"key": _label(key)})
        seen[key] = row.minutes or 0
    for vip in (False, True):
        required = _table_keys(vip=vip)
        present = {key for key in seen if key[3] == vip}
        if vip and not present:
            continue
        missing = sorted(required - present)
        if missing:
            errors.append(
                _("Missing targets: %(keys)s.") % {"keys": ", ".join(_label(k) for k in missing)}
            )
    return errors


def validate_target_table(rows: Iterable[TargetRow]) -> None:
    errors = target_table_errors(rows)
    if errors:
        raise ValidationError(errors)


def _label(key: tuple[str, str, str, bool]) -> str:
    """Names, not codes: "Next response P2 VIP"."""
    kind, tier, priority, vip = key
    name = str(ClockKind(kind).label) if kind in ClockKind.values else kind
    parts = [name, tier, priority, "VIP" if vip else ""]
    return " ".join(p for p in parts if p)


def validate_hours(hours: object, *, time_zone: str) -> None:
    """Weekly hours as stored in Calendar.hours: {"0": [["09:00", "17:00"]], …}."""
    if not isinstance(hours, dict):
        raise ValidationError({"hours": _("Weekly hours must be an object of weekday → list.")})
    try:
        week = {int(day): pairs for day, pairs in hours.items()}
    except (TypeError, ValueError):
        raise ValidationError(
            {"hours": _("Weekdays must be numbers 0 (Monday) to 6 (Sunday).")}
        ) from None
    try:
        BusinessCalendar(time_zone, week)
    except CalendarError as error:
        raise ValidationError({"hours": str(error)}) from None
