"""Operator surfaces: the escalate command, the beat entry, the admin for managers."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from accounts.models import Tier
from escalation.models import EscalationRule
from escalation.schedule import SWEEP_TASK_NAME, ensure_sweep_schedule
from tickets.services import ticket_create

from .conftest import RESPONSE_MINUTES, minutes

pytestmark = pytest.mark.django_db


def test_escalate_command_sweeps_once_and_prints_counts(alice, agreement, staff, clock_at, capsys):
    clock_at()
    ticket = ticket_create(requester=alice, subject="Mail down", description="Since 8.")
    clock_at(minutes(RESPONSE_MINUTES[Tier.L1]))
    call_command("escalate")
    out = capsys.readouterr().out
    assert "breaches=1 escalations=1 notifications=2" in out
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    call_command("escalate")
    assert "breaches=0 escalations=0" in capsys.readouterr().out


def test_beat_entry_exists_with_interval_and_expiry(settings):
    # Created by post_migrate on the test database.
    task = PeriodicTask.objects.get(name=SWEEP_TASK_NAME)
    assert task.task == "escalation.sweep"
    assert task.interval.every == settings.TIERDESK_ESCALATION_INTERVAL_SECONDS == 30
    assert task.expire_seconds == 30  # a sweep missed in an outage is dropped, not piled up
    ensure_sweep_schedule(interval_seconds=5)
    task.refresh_from_db()
    assert (task.interval.every, task.expire_seconds) == (5, 5)
    assert PeriodicTask.objects.filter(task="escalation.sweep").count() == 1


def test_default_rules_are_shipped_as_data():
    rules = list(EscalationRule.objects.order_by("order").values_list("trigger", "tier"))
    assert rules == [
        ("response_breach", "L1"),
        ("response_breach", "L2"),
        ("response_breach", "L3"),
        ("resolution_breach", ""),
        ("response_warning", ""),
        ("resolution_warning", ""),
        ("next_response_warning", ""),
        ("next_response_breach", ""),
    ]


def test_managers_edit_rules_in_the_admin(client, manager, l2tech):
    rule = EscalationRule.objects.get(tier=Tier.L2)
    client.force_login(manager)
    page = client.get(f"/admin/escalation/escalationrule/{rule.pk}/change/")
    assert page.status_code == 200
    data = {
        "name": rule.name,
        "trigger": rule.trigger,
        "tier": "L2",
        "priority": "",
        "move_to_next_tier": "on",
        "notify_manager": "on",
        "notify_team_lead": "on",
        "active": "on",
        "order": 20,
    }
    response = client.post(f"/admin/escalation/escalationrule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    rule.refresh_from_db()
    assert rule.notify_team_lead
    l2tech.is_staff = True
    l2tech.save()
    client.force_login(l2tech)
    assert client.get("/admin/escalation/escalationrule/").status_code == 403
