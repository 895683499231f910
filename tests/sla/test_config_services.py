"""SLA configuration is written by two services, for the admin and the API alike.

`agreement_save` and `calendar_save` validate, replace the child rows, touch the parent once
and queue one recompute of the running clocks for after the commit. Nothing else does: a
Target or ClosedDate saved through the ORM behind their back queues nothing (no receivers).
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from sla.models import Agreement, Calendar, Clock, ClockKind, ClosedDate, Target
from sla.policies import agreement_targets, business_calendar
from sla.services.config import agreement_save, calendar_save
from sla.services.recompute import _RecomputeOnCommit
from sla.tasks import recompute_agreement_clocks
from sla.validation import TargetRow
from tests.factories import api_key
from tickets.services import ticket_create

from .conftest import berlin

pytestmark = pytest.mark.django_db


def rows_of(agreement, **minutes_by_key):
    """The agreement's table as TargetRows, L1 P3 response set to `l1p3` minutes if given."""
    rows = []
    for t in Target.objects.filter(agreement=agreement).order_by("pk"):
        minutes = t.minutes
        if (t.kind, t.tier, t.priority, t.vip) == ("response", "L1", "P3", False):
            minutes = minutes_by_key.get("l1p3", minutes)
        rows.append(TargetRow(t.kind, t.tier, t.priority, t.vip, minutes))
    return rows


def jobs(callbacks):
    return [c for c in callbacks if isinstance(c, _RecomputeOnCommit)]


def run_recompute(callbacks):
    """Run the task each queued job would send, as a worker would."""
    for job in jobs(callbacks):
        recompute_agreement_clocks.apply(args=[sorted(job.agreement_ids)]).get()


def l1_response(ticket):
    return Clock.objects.get(ticket=ticket, kind=ClockKind.RESPONSE, tier="L1")


def test_agreement_save_replaces_the_table_touches_once_and_recomputes_on_commit(
    alice, standard, at, django_capture_on_commit_callbacks
):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")
    before = standard.updated_at
    assert agreement_targets(standard)[("response", "L1", "P3", False)] == 60
    at(berlin(2026, 3, 2, 10, 5))
    with django_capture_on_commit_callbacks() as callbacks:
        agreement_save(agreement=standard, targets=rows_of(standard, l1p3=120))
    assert len(jobs(callbacks)) == 1 and jobs(callbacks)[0].agreement_ids == {standard.pk}
    run_recompute(callbacks)
    standard.refresh_from_db()
    assert standard.updated_at != before  # a new cache key for every process
    assert agreement_targets(standard)[("response", "L1", "P3", False)] == 120
    assert Target.objects.filter(agreement=standard).count() == len(rows_of(standard))
    # The queued task ran: the running clock has its new deadline.
    assert l1_response(ticket).due_at == berlin(2026, 3, 2, 12, 0)


def test_an_invalid_table_changes_nothing(standard, django_capture_on_commit_callbacks):
    before = list(Target.objects.filter(agreement=standard).values_list("pk", "minutes"))
    stamp = Agreement.objects.get(pk=standard.pk).updated_at
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError, match="Missing targets"):
            agreement_save(agreement=standard, targets=rows_of(standard)[:-1])
        with pytest.raises(ValidationError):
            agreement_save(agreement=standard, targets=rows_of(standard, l1p3=0))
        standard.warning_percent = 150
        with pytest.raises(ValidationError):
            agreement_save(agreement=standard)
    assert not jobs(callbacks)
    assert list(Target.objects.filter(agreement=standard).values_list("pk", "minutes")) == before
    assert Agreement.objects.get(pk=standard.pk).updated_at == stamp


def test_a_new_agreement_is_created_with_its_table_and_queues_nothing(
    standard, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        gold = agreement_save(
            agreement=Agreement(name="Gold", organisation=acme, calendar=standard.calendar),
            targets=rows_of(standard),
        )
    assert gold.pk and gold.targets.count() == len(rows_of(standard))
    assert not jobs(callbacks)


def test_orm_writes_behind_the_services_back_queue_nothing(
    standard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        target = Target.objects.filter(agreement=standard).first()
        target.minutes += 1
        target.save()
        ClosedDate.objects.create(calendar=standard.calendar, date=date(2026, 3, 3))
        standard.save()
    assert not jobs(callbacks)


def test_calendar_save_replaces_closed_dates_and_recomputes_its_agreements(
    alice, standard, at, django_capture_on_commit_callbacks
):
    at(berlin(2026, 3, 2, 17, 30))
    ticket = ticket_create(requester=alice, subject="s", description="d")
    assert l1_response(ticket).due_at == berlin(2026, 3, 3, 8, 30)
    calendar = Calendar.objects.get(pk=standard.calendar_id)
    ClosedDate.objects.create(calendar=calendar, date=date(2026, 5, 5), name="old")
    with django_capture_on_commit_callbacks() as callbacks:
        calendar_save(calendar=calendar, closed_dates=[(date(2026, 3, 3), "Company day")])
    assert [j.agreement_ids for j in jobs(callbacks)] == [{standard.pk}]
    run_recompute(callbacks)
    assert list(calendar.closed_dates.values_list("date", "name")) == [
        (date(2026, 3, 3), "Company day")
    ]
    calendar.refresh_from_db()
    assert date(2026, 3, 3) in business_calendar(calendar).holidays
    assert l1_response(ticket).due_at == berlin(2026, 3, 4, 8, 30)


def test_a_calendar_without_working_time_is_refused_unchanged(standard):
    calendar = Calendar.objects.get(pk=standard.calendar_id)
    hours = calendar.hours
    calendar.hours = {"0": [["22:00", "06:00"]]}
    with pytest.raises(ValidationError):
        calendar_save(calendar=calendar, closed_dates=[])
    calendar.refresh_from_db()
    assert calendar.hours == hours


def test_the_admin_saves_through_the_service(
    client, manager, standard, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    url = reverse("admin:sla_agreement_change", args=[standard.pk])
    targets = list(Target.objects.filter(agreement=standard).order_by("pk"))
    data = {
        "name": standard.name,
        "calendar": standard.calendar_id,
        "is_default": "on",
        "warning_percent": 75,
        "targets-TOTAL_FORMS": len(targets),
        "targets-INITIAL_FORMS": len(targets),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    for i, t in enumerate(targets):
        l1p3 = (t.kind, t.tier, t.priority, t.vip) == ("response", "L1", "P3", False)
        data |= {
            f"targets-{i}-id": t.pk,
            f"targets-{i}-agreement": standard.pk,
            f"targets-{i}-kind": t.kind,
            f"targets-{i}-tier": t.tier,
            f"targets-{i}-priority": t.priority,
            f"targets-{i}-minutes": 45 if l1p3 else t.minutes,
        } | ({f"targets-{i}-vip": "on"} if t.vip else {})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, data)
    assert response.status_code == 302
    assert len(jobs(callbacks)) == 1
    standard.refresh_from_db()
    assert standard.warning_percent == 75
    assert agreement_targets(standard)[("response", "L1", "P3", False)] == 45


def test_the_api_saves_through_the_service(manager, standard, django_capture_on_commit_callbacks):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(manager)}")
    body = {
        "targets": [
            {"kind": r.kind, "tier": r.tier, "priority": r.priority, "vip": r.vip, "minutes": m}
            for r in rows_of(standard, l1p3=30)
            for m in [r.minutes]
        ]
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.patch(f"/api/v1/agreements/{standard.pk}/", body, format="json")
        assert response.status_code == 200, response.json()
        dates = {"closed_dates": [{"date": "2026-03-03", "name": "Company day"}]}
        response = client.patch(f"/api/v1/calendars/{standard.calendar_id}/", dates, format="json")
        assert response.status_code == 200, response.json()
    assert set().union(*(j.agreement_ids for j in jobs(callbacks))) == {standard.pk}
    standard.refresh_from_db()
    assert agreement_targets(standard)[("response", "L1", "P3", False)] == 30
    assert ClosedDate.objects.filter(calendar_id=standard.calendar_id).count() == 1
