"""Manager endpoints: organisations, users and tiers, calendars, agreements, rules, dashboard."""

import pytest

from accounts.models import Organisation, Role, Tier, User
from escalation.models import EscalationRule
from sla.models import Agreement, Calendar

pytestmark = pytest.mark.django_db

HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)}


def full_targets(minutes=60):
    rows = [
        {"kind": "response", "tier": tier, "priority": p, "vip": False, "minutes": minutes}
        for tier in ("L1", "L2", "L3")
        for p in ("P1", "P2", "P3", "P4")
    ]
    rows += [
        {"kind": "resolution", "tier": "", "priority": p, "vip": False, "minutes": minutes * 10}
        for p in ("P1", "P2", "P3", "P4")
    ]
    rows += [
        {"kind": "next_response", "tier": "", "priority": p, "vip": False, "minutes": minutes * 2}
        for p in ("P1", "P2", "P3", "P4")
    ]
    return rows


def test_organisations_crud(api, manager):
    client = api(manager)
    created = client.post(
        "/api/v1/organisations/", {"name": "Initech", "time_zone": "Europe/Paris"}
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    bad = client.post("/api/v1/organisations/", {"name": "X", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "time_zone" in bad.json()["fields"]
    duplicate = client.post("/api/v1/organisations/", {"name": "Initech"})
    assert duplicate.status_code == 400
    patched = client.patch(f"/api/v1/organisations/{pk}/", {"time_zone": "UTC"})
    assert patched.json()["time_zone"] == "UTC"
    assert client.delete(f"/api/v1/organisations/{pk}/").status_code == 204
    assert not Organisation.objects.filter(pk=pk).exists()


def test_organisation_in_use_cannot_be_deleted(api, manager, alice):
    response = api(manager).delete(f"/api/v1/organisations/{alice.organisation_id}/")
    assert response.status_code == 409 and response.json()["code"] == "in_use"


def test_users_and_technician_tiers(api, manager, l1tech):
    client = api(manager)
    created = client.post(
        "/api/v1/users/",
        {"username": "newtech", "role": "technician", "tier": "L2", "password": "Long-enough-42"},
    )
    assert created.status_code == 201, created.content
    assert "password" not in created.json()
    user = User.objects.get(username="newtech")
    assert user.tier == Tier.L2 and user.check_password("Long-enough-42")
    no_tier = client.post("/api/v1/users/", {"username": "x", "role": "technician"})
    assert no_tier.status_code == 400 and "tier" in no_tier.json()["fields"]
    weak = client.post("/api/v1/users/", {"username": "y", "password": "123"})
    assert weak.status_code == 400
    promoted = client.patch(f"/api/v1/users/{l1tech.pk}/", {"tier": "L3", "is_team_lead": True})
    assert promoted.status_code == 200
    l1tech.refresh_from_db()
    assert (l1tech.tier, l1tech.is_team_lead) == (Tier.L3, True)
    customer_tier = client.patch(f"/api/v1/users/{l1tech.pk}/", {"role": "customer"})
    assert customer_tier.status_code == 400
    technicians = client.get("/api/v1/users/", {"role": "technician"}).json()["results"]
    assert {u["username"] for u in technicians} == {"newtech", "l1tech"}
    assert client.delete(f"/api/v1/users/{l1tech.pk}/").status_code == 405
    gone = client.patch(f"/api/v1/users/{l1tech.pk}/", {"is_active": False})
    assert gone.json()["is_active"] is False
    assert not User.objects.filter(role=Role.MANAGER, username="newtech").exists()


def test_calendars(api, manager):
    client = api(manager)
    created = client.post(
        "/api/v1/calendars/",
        {
            "name": "Berlin office",
            "time_zone": "Europe/Berlin",
            "hours": HOURS,
            "holiday_country": "de",
            "holiday_subdivision": "be",
            "closed_dates": [{"date": "2026-12-24", "name": "Christmas Eve"}],
        },
    )
    assert created.status_code == 201, created.content
    calendar = Calendar.objects.get(name="Berlin office")
    assert calendar.holiday_country == "DE"
    assert [str(d.date) for d in calendar.closed_dates.all()] == ["2026-12-24"]
    bad_hours = client.post(
        "/api/v1/calendars/", {"name": "Broken", "hours": {"0": [["17:00", "09:00"]]}}
    )
    assert bad_hours.status_code == 400 and "hours" in bad_hours.json()["fields"]
    bad_country = client.post(
        "/api/v1/calendars/", {"name": "Nowhere", "hours": HOURS, "holiday_country": "QQ"}
    )
    assert bad_country.status_code == 400 and "holiday_country" in bad_country.json()["fields"]
    in_use = Agreement.objects.get(is_default=True).calendar_id
    assert client.delete(f"/api/v1/calendars/{in_use}/").status_code == 409
    assert client.delete(f"/api/v1/calendars/{calendar.pk}/").status_code == 204


def test_agreements_with_target_table(api, manager, acme):
    client = api(manager)
    calendar = Calendar.objects.first()
    body = {
        "name": "Acme gold",
        "organisation": acme.pk,
        "calendar": calendar.pk,
        "warning_percent": 75,
        "targets": full_targets(),
    }
    created = client.post("/api/v1/agreements/", body, format="json")
    assert created.status_code == 201, created.content
    agreement = Agreement.objects.get(name="Acme gold")
    assert agreement.targets.count() == 20
    without_answers = [row for row in full_targets() if row["kind"] != "next_response"]
    refused = client.post(
        "/api/v1/agreements/",
        {**body, "name": "No answers", "organisation": None, "targets": without_answers},
        format="json",
    )
    assert refused.status_code == 400
    assert "Missing targets: Next response P1" in str(refused.json()["fields"]["targets"])
    tiered = [*full_targets()[:-1], {**full_targets()[-1], "tier": "L1"}]
    refused = client.post(
        "/api/v1/agreements/",
        {**body, "name": "Tiered", "organisation": None, "targets": tiered},
        format="json",
    )
    assert refused.status_code == 400 and not Agreement.objects.filter(name="Tiered").exists()
    incomplete = client.post(
        "/api/v1/agreements/",
        {**body, "name": "Half", "organisation": None, "targets": full_targets()[:5]},
        format="json",
    )
    assert incomplete.status_code == 400 and "targets" in incomplete.json()["fields"]
    second_default = client.post(
        "/api/v1/agreements/",
        {**body, "name": "Other", "organisation": None, "is_default": True},
        format="json",
    )
    assert second_default.status_code == 400
    patched = client.patch(
        f"/api/v1/agreements/{agreement.pk}/", {"targets": full_targets(30)}, format="json"
    )
    assert patched.status_code == 200
    assert set(agreement.targets.values_list("minutes", flat=True)) == {30, 300, 60}


def test_escalation_rules(api, manager, l2tech):
    client = api(manager)
    created = client.post(
        "/api/v1/escalation-rules/",
        {
            "name": "P1 straight to lead",
            "trigger": "response_warning",
            "priority": "P1",
            "assign_to": l2tech.pk,
            "notify_team_lead": True,
        },
    )
    assert created.status_code == 201, created.content
    rule = EscalationRule.objects.get(name="P1 straight to lead")
    assert rule.assign_to == l2tech
    patched = client.patch(f"/api/v1/escalation-rules/{rule.pk}/", {"active": False})
    assert patched.json()["active"] is False
    assert client.delete(f"/api/v1/escalation-rules/{rule.pk}/").status_code == 204


def test_dashboard(api, manager, alice, file_ticket):
    file_ticket(alice)
    client = api(manager)
    body = client.get("/api/v1/sla/dashboard/").json()
    assert {"compliance_by_tier", "backlog_by_age", "at_risk", "workload"} <= set(body)
    assert sum(row["clocks"] for row in body["compliance_by_tier"]) >= 1
    scoped = client.get(
        "/api/v1/sla/dashboard/",
        {"start": "2026-01-01", "end": "2026-12-31", "organisation": alice.organisation_id},
    )
    assert scoped.status_code == 200 and scoped.json()["organisation"] == alice.organisation_id
    backwards = client.get("/api/v1/sla/dashboard/", {"start": "2026-02-01", "end": "2026-01-01"})
    assert backwards.status_code == 400


@pytest.mark.parametrize("tickets,days", [(2, 7), (20, 60)])
def test_dashboard_query_count_is_constant(
    api, manager, alice, tickets, days, django_assert_num_queries
):
    """The same queries whatever the tickets and the days, rolled up or not."""
    from datetime import timedelta

    from django.utils import timezone

    from reports.services import rollups_rebuild
    from tests.factories import TicketFactory
    from tests.web.test_dashboard import clock

    for n in range(tickets):
        started = timezone.now() - timedelta(days=n % days, hours=1)
        clock(TicketFactory(requester=alice), tier="L1", minutes=n, outcome="met", started=started)
    client = api(manager)
    start = (timezone.localdate() - timedelta(days=days - 1)).isoformat()
    # token, user, state, the summed rollup rows, six live queries, names, comments, the
    # active-ticket counts, at risk, technicians; the first read of a zone never refreshed
    # runs the refresh first (19 more, in its own transaction)
    with django_assert_num_queries(14 + 19):
        assert client.get("/api/v1/sla/dashboard/", {"start": start}).status_code == 200
    # rolled up now; - the token's last-use mark (written a moment ago)
    with django_assert_num_queries(13):
        assert client.get("/api/v1/sla/dashboard/", {"start": start}).status_code == 200
    rollups_rebuild()
    with django_assert_num_queries(13):  # rolled up by the rebuild: the same queries
        assert client.get("/api/v1/sla/dashboard/", {"start": start}).status_code == 200
