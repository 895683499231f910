"""Which agreement applies, validation of target tables and calendars, the manager's admin."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Tier
from sla.models import Agreement, Calendar, ClockKind, Target
from sla.policies import business_calendar
from sla.selectors import ticket_agreement
from sla.services.config import calendar_save
from sla.validation import TargetRow, target_table_errors
from tickets.models import Priority
from tickets.services import ticket_create

from .conftest import berlin

pytestmark = pytest.mark.django_db


def full_table(*, vip=False, minutes=60):
    rows = [
        TargetRow(ClockKind.RESPONSE, tier, priority, vip, minutes)
        for tier in Tier.values
        for priority in Priority.values
    ]
    rows += [TargetRow(ClockKind.RESOLUTION, "", p, vip, minutes * 10) for p in Priority]
    return rows + [TargetRow(ClockKind.NEXT_RESPONSE, "", p, vip, minutes * 2) for p in Priority]


def make_agreement(name, *, calendar, organisation=None, minutes=60):
    agreement = Agreement.objects.create(name=name, calendar=calendar, organisation=organisation)
    Target.objects.bulk_create(
        Target(agreement=agreement, **row._asdict()) for row in full_table(minutes=minutes)
    )
    return agreement


def test_standard_agreement_is_shipped_complete(standard):
    rows = [TargetRow(t.kind, t.tier, t.priority, t.vip, t.minutes) for t in standard.targets.all()]
    assert target_table_errors(rows) == []
    assert len(rows) == 2 * (12 + 4 + 4)  # regular and VIP tables
    calendar = standard.calendar
    assert (calendar.time_zone, calendar.holiday_country) == ("Europe/Berlin", "DE")
    assert calendar.hours["0"] == [["08:00", "18:00"]] and "5" not in calendar.hours
    lookup = {(t.kind, t.tier, t.priority, t.vip): t.minutes for t in standard.targets.all()}
    assert [lookup[("response", "L1", p, False)] for p in Priority.values] == [15, 30, 60, 240]
    assert [lookup[("next_response", "", p, False)] for p in Priority.values] == [30, 60, 120, 240]
    assert [lookup[("next_response", "", p, True)] for p in Priority.values] == [15, 30, 60, 120]


def test_organisation_agreement_wins_over_default(alice, gina, standard, at):
    always = Calendar.objects.create(name="24x7", time_zone="UTC", always_open=True)
    acme_sla = make_agreement("Acme gold", calendar=always, organisation=alice.organisation)
    at(berlin(2026, 3, 7, 12, 0))  # Saturday: 24×7 counts, the Standard calendar does not
    mine = ticket_create(requester=alice, subject="s", description="d")
    theirs = ticket_create(requester=gina, subject="s", description="d")
    assert ticket_agreement(mine) == acme_sla
    assert ticket_agreement(theirs) == standard
    assert mine.response_due_at == berlin(2026, 3, 7, 13, 0)
    assert theirs.response_due_at == berlin(2026, 3, 9, 9, 0)


def test_without_any_agreement_tickets_get_no_clocks(alice, standard):
    standard.delete()
    ticket = ticket_create(requester=alice, subject="s", description="d")
    assert not ticket.clocks.exists()
    assert ticket_agreement(ticket) is None
    assert ticket.response_due_at is None


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (full_table()[1:], "Missing targets: Response L1 P1"),
        ([*full_table()[:-1], TargetRow("resolution", "", "P4", False, 0)], "must be positive"),
        ([*full_table(), *full_table(vip=True)[:5]], "Resolution P1 VIP"),
        (full_table()[:-1], "Missing targets: Next response P4."),
        (
            [*full_table(), TargetRow("next_response", "L2", "P1", False, 5)],
            "Only response targets have a tier",
        ),
        ([*full_table(), TargetRow("next_response", "", "P1", True, 0)], "must be positive"),
        ([*full_table(), TargetRow("update", "", "P1", False, 5)], "Unknown kind"),
        ([*full_table(), full_table()[0]], "Duplicate target Response L1 P1"),
        (
            [*full_table(), TargetRow("resolution", "L1", "P1", True, 5)],
            "Only response targets have a tier",
        ),
    ],
)
def test_incomplete_or_invalid_target_tables_are_refused(rows, message):
    errors = target_table_errors(rows)
    assert any(message in error for error in errors), errors


def test_complete_tables_with_and_without_vip_pass():
    assert target_table_errors(full_table()) == []
    assert target_table_errors(full_table() + full_table(vip=True, minutes=30)) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": {}}, "hours"),
        ({"hours": {"0": [["17:00", "09:00"]]}}, "hours"),
        ({"hours": {"0": [["9am", "5pm"]]}}, "hours"),
        ({"hours": {"monday": [["09:00", "17:00"]]}}, "hours"),
        ({"hours": {"0": "09:00-17:00"}}, "hours"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_subdivision": "ZZ"}, "holiday_subdivision"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_calendar_validation_rejects_bad_definitions(changes, field):
    values = {
        "name": "Office",
        "time_zone": "Europe/Berlin",
        "hours": {"0": [["09:00", "17:00"]]},
        "holiday_country": "DE",
    } | changes
    with pytest.raises(ValidationError) as caught:
        Calendar(**values).full_clean()
    assert field in caught.value.message_dict


def test_calendar_validation_accepts_split_shifts_and_24x7(db):
    Calendar(
        name="Split",
        time_zone="Asia/Kolkata",
        hours={"4": [["09:00", "12:00"], ["13:00", "24:00"]]},
        holiday_country="in",
    ).full_clean()
    Calendar(name="Always", time_zone="UTC", always_open=True, hours={}).full_clean()


def test_default_agreement_cannot_belong_to_an_organisation(acme, standard):
    agreement = Agreement(name="x", calendar=standard.calendar, is_default=True, organisation=acme)
    with pytest.raises(ValidationError):
        agreement.clean()


def test_calendar_cache_follows_closed_dates(standard):
    calendar = Calendar.objects.get(pk=standard.calendar_id)
    before = business_calendar(calendar)
    assert business_calendar(calendar) is before  # cached
    calendar_save(calendar=calendar, closed_dates=[(date(2026, 3, 2), "Company day")])
    after = business_calendar(calendar)
    assert date(2026, 3, 2) in after.holidays and date(2026, 3, 2) not in before.holidays
    assert date(2026, 12, 25) in after.holidays  # from the holidays package


def test_manager_edits_agreements_in_the_admin_with_table_validation(client, manager, standard):
    client.force_login(manager)
    for name in ("calendar", "agreement", "clock"):
        assert client.get(reverse(f"admin:sla_{name}_changelist")).status_code == 200
    url = reverse("admin:sla_agreement_add")
    assert client.get(url).status_code == 200
    rows = full_table()[:-1]  # next response P4 missing
    data = {
        "name": "Partial",
        "calendar": standard.calendar_id,
        "warning_percent": 80,
        "targets-TOTAL_FORMS": len(rows),
        "targets-INITIAL_FORMS": 0,
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data |= {
            f"targets-{i}-kind": row.kind,
            f"targets-{i}-tier": row.tier,
            f"targets-{i}-priority": row.priority,
            f"targets-{i}-minutes": row.minutes,
        }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Missing targets: Next response P4" in refused.content.decode()
    assert not Agreement.objects.filter(name="Partial").exists()
    last = len(rows)
    data |= {
        "targets-TOTAL_FORMS": last + 1,
        f"targets-{last}-kind": "next_response",
        f"targets-{last}-tier": "",
        f"targets-{last}-priority": "P4",
        f"targets-{last}-minutes": 240,
    }
    assert client.post(url, data).status_code == 302
    assert Agreement.objects.get(name="Partial").targets.count() == 20


def test_customers_and_technicians_cannot_use_the_sla_admin(client, l2tech):
    l2tech.is_staff = True
    l2tech.save()
    client.force_login(l2tech)
    assert client.get(reverse("admin:sla_agreement_changelist")).status_code == 403


def test_a_ticket_keeps_the_agreement_it_started_with(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")
    always = Calendar.objects.create(name="24x7", time_zone="UTC", always_open=True)
    gold = make_agreement("Acme gold", calendar=always, organisation=alice.organisation)
    assert ticket_agreement(ticket) == standard
    assert ticket_agreement(ticket_create(requester=alice, subject="s", description="d")) == gold
