"""The sweep's batch service: one clock or a thousand, each clock acted on once with all effects."""

import logging
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from api.models import Webhook, WebhookDelivery, WebhookEvent
from api.webhooks.services import forget_active_hooks
from escalation.models import Escalation, EscalationKind, Notification, NotificationKind
from escalation.services.batch import process_batch
from escalation.services.rules import Audience, active_rules
from escalation.services.sweep import escalation_sweep
from sla.models import Clock
from sla.services.sync import sla_columns
from tickets.models import EventKind, Priority, Ticket, TicketEvent
from tickets.services import ticket_assign, ticket_create, ticket_move_tier, ticket_reply

from .conftest import RESOLUTION_MINUTES, RESPONSE_MINUTES, T0, WARNING_PERCENT, minutes
from .helpers import notified, resolution_clock, response_clock

pytestmark = pytest.mark.django_db

L1, L2 = RESPONSE_MINUTES[Tier.L1], RESPONSE_MINUTES[Tier.L2]


def file_tickets(requester, count):
    return [
        ticket_create(requester=requester, subject=f"Outage {n}", description="Down.")
        for n in range(count)
    ]


def event_kinds(ticket):
    return list(
        TicketEvent.objects.filter(ticket=ticket).order_by("id").values_list("kind", flat=True)
    )


@pytest.mark.parametrize("batch_size", [None, 1], ids=["one-batch", "batches-of-one"])
def test_a_batch_of_breaches_escalates_each_clock_once_with_all_effects(
    alice, agreement, staff, clock_at, batch_size
):
    n = 12
    clock_at()
    tickets = file_tickets(alice, n)
    clock_at(minutes(L1 + 1))
    result = escalation_sweep(batch_size=batch_size)
    assert (result.breaches, result.escalations, result.errors) == (n, n, 0)
    assert result.notifications == 2 * n  # l2tech (group) and the manager, per clock
    assert Escalation.objects.filter(kind=EscalationKind.BREACH).count() == n

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.tier == Tier.L2
        l1 = response_clock(ticket, Tier.L1)
        assert l1.breached_at is not None and l1.stopped_at is not None
        now = l1.breached_at
        l2 = response_clock(ticket, Tier.L2)
        assert (l2.cycle, l2.started_at, l2.is_running) == (1, now, True)
        assert l2.due_at == now + minutes(L2)
        assert l2.warn_at == now + minutes(L2 * WARNING_PERCENT / 100)
        assert l2.agreement_id == agreement.pk
        record = Escalation.objects.get(ticket=ticket)
        assert (record.clock_id, record.from_tier, record.to_tier) == (l1.pk, Tier.L1, Tier.L2)
        assert record.actions == ["moved:L1->L2"]
        kinds = event_kinds(ticket)
        tail = [EventKind.CLOCK_BREACHED, EventKind.TIER, EventKind.CLOCK_STARTED]
        assert kinds[-4:-1] == tail and kinds[-1] == EventKind.ESCALATED
        started = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_STARTED).last()
        assert started.after["clock"] == l2.pk and started.after["replaces"] == [l1.pk]
        escalated = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
        assert escalated.after["escalation"] == record.pk and escalated.internal
        assert notified(ticket, f"clock:{l1.pk}:breach") == {
            ("l2tech", NotificationKind.ESCALATED),
            ("manager", NotificationKind.SLA_BREACH),
        }
        # The rule told the L2 group itself: no second "new in your queue" row.
        assert not Notification.objects.filter(
            ticket=ticket, kind=NotificationKind.NEW_IN_QUEUE, cause_key__startswith="queue-L2"
        ).exists()
        # The ticket's SLA columns agree with its clocks.
        columns = sla_columns(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))
        assert {f: getattr(ticket, f) for f in columns} == columns
        assert ticket.response_due_at == l2.due_at and not ticket.sla_breached
    assert escalation_sweep(batch_size=batch_size).breaches == 0


@pytest.mark.parametrize("batch_size", [None, 1], ids=["one-batch", "batches-of-one"])
def test_two_clocks_of_one_ticket_in_one_batch_act_in_due_order(
    alice, agreement, staff, clock_at, batch_size
):
    clock_at()
    (ticket,) = file_tickets(alice, 1)
    clock_at(minutes(RESOLUTION_MINUTES + 1))
    result = escalation_sweep(batch_size=batch_size)
    assert (result.breaches, result.escalations, result.errors) == (2, 1, 0)
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2 and ticket.sla_breached
    assert list(
        Escalation.objects.filter(ticket=ticket).order_by("id").values_list("from_tier", "to_tier")
    ) == [(Tier.L1, Tier.L2), (Tier.L2, Tier.L2)]
    resolution = resolution_clock(ticket)
    assert notified(ticket, f"clock:{resolution.pk}:breach") == {
        ("manager", NotificationKind.SLA_BREACH)
    }


@pytest.fixture
def hooks_forgotten():
    """The active-hooks cache outlives the test's rolled-back rows: drop it afterwards."""
    yield
    forget_active_hooks()


def test_l2_breach_tells_the_l3_group_through_its_queue_notice_and_webhooks_fire(
    alice, agreement, staff, clock_at, manager, hooks_forgotten
):
    Webhook.objects.create(
        url="https://hooks.example.com/t",
        events=[WebhookEvent.ESCALATED, WebhookEvent.SLA_BREACH],
        created_by=manager,
    )
    clock_at()
    tickets = file_tickets(alice, 3)
    clock_at(minutes(L1))
    escalation_sweep()
    clock_at(minutes(L1 + L2))
    result = escalation_sweep()
    assert (result.breaches, result.escalations) == (3, 3)
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.tier == Tier.L3
        assert notified(ticket, "queue-L3") == {("l3tech", NotificationKind.NEW_IN_QUEUE)}
    deliveries = WebhookDelivery.objects.values_list("event", flat=True)
    assert sorted(deliveries).count(WebhookEvent.ESCALATED) == 2 * 3  # L1→L2, L2→L3
    assert list(deliveries).count(WebhookEvent.SLA_BREACH) == 2 * 3


def test_a_clock_met_just_before_the_claim_is_not_escalated(alice, agreement, staff, clock_at):
    clock_at()
    first, second = file_tickets(alice, 2)
    ids = [response_clock(t, Tier.L1).pk for t in (first, second)]
    clock_at(minutes(L1 - 1))
    ticket_reply(ticket=first, author=staff["l1"], body="On it.")  # in time: met
    clock_at(minutes(L1 + 1))
    with transaction.atomic():
        # The due list was read before the reply; the claim must still leave the met clock.
        counts = process_batch(
            clock_ids=ids,
            breach=True,
            now=T0 + minutes(L1 + 1),
            rules=active_rules(),
            audience=Audience(),
            queue=False,
        )
    assert (counts.marked, counts.escalations) == (1, 1)
    met = Clock.objects.get(pk=ids[0])
    assert met.met_at is not None and met.breached_at is None
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.tier, second.tier) == (Tier.L1, Tier.L2)
    assert not Escalation.objects.filter(ticket=first).exists()


def test_a_poisoned_clock_is_bisected_out_and_the_others_are_still_processed(
    alice, agreement, staff, clock_at, caplog
):
    clock_at()
    tickets = file_tickets(alice, 6)
    poisoned = response_clock(tickets[2], Tier.L1)
    # A record this clock should not have: its Escalation insert must violate the constraint.
    Escalation.objects.create(
        ticket=tickets[2],
        from_tier=Tier.L1,
        to_tier=Tier.L1,
        clock=poisoned,
        kind=EscalationKind.BREACH,
        created_at=poisoned.due_at,
    )
    clock_at(minutes(L1 + 1))
    with caplog.at_level(logging.ERROR, logger="escalation.services.sweep"):
        result = escalation_sweep()
    assert "retrying it in halves" in caplog.text
    assert f"Escalation of clock {poisoned.pk} failed" in caplog.text
    # 6 → 3 + 3, the poisoned half 3 → 1 + 2, then 2 → 1 + 1: three splits, one clock left.
    assert (result.breaches, result.escalations, result.errors, result.fallbacks) == (5, 5, 1, 3)
    poisoned.refresh_from_db()
    assert poisoned.is_running  # rolled back with its failed escalation; retried next sweep
    tiers = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).order_by("id")
    assert list(tiers.values_list("tier", flat=True)) == [Tier.L2] * 2 + [Tier.L1] + [Tier.L2] * 3
    assert Escalation.objects.filter(kind=EscalationKind.BREACH).count() == 6


def test_the_queries_of_a_batch_do_not_grow_with_its_size(
    alice, agreement, staff, clock_at, django_assert_max_num_queries
):
    clock_at()
    file_tickets(alice, 5)
    clock_at(minutes(L1 + 1))
    # queue=False: handing outbox rows to the broker (and the re-queue's bookkeeping,
    # which depends on whether the broker answered) is not part of the batch's work.
    with CaptureQueriesContext(connection) as small:
        assert escalation_sweep(queue=False).breaches == 5
    clock_at(minutes(L1 + 2))
    file_tickets(alice, 50)
    clock_at(minutes(2 * L1 + 3))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert escalation_sweep(queue=False).breaches == 50


def _clock_updates(captured) -> list[str]:
    statements = [re.sub(r"^\d+ times: ", "", q["sql"].lstrip()) for q in captured.captured_queries]
    return [sql for sql in statements if sql.upper().startswith('UPDATE "SLA_CLOCK"')]


def test_a_breached_clock_its_tier_move_ends_is_written_once(alice, agreement, staff, clock_at):
    clock_at()
    tickets = file_tickets(alice, 4)
    clock_at(minutes(L1 + 1))
    with CaptureQueriesContext(connection) as captured:
        assert escalation_sweep(queue=False).breaches == 4
    # The mark and the stop of the L1 clocks in one UPDATE (no claim UPDATE before it).
    assert len(_clock_updates(captured)) == 1
    for ticket in tickets:
        l1 = response_clock(ticket, Tier.L1)
        assert l1.breached_at is not None and l1.stopped_at is not None
        ticket.refresh_from_db()
        assert ticket.tier == Tier.L2
        expected = sla_columns(tier=Tier.L2, clocks=Clock.objects.filter(ticket=ticket))
        assert {column: getattr(ticket, column) for column in expected} == expected


def test_breaches_no_tier_move_ends_have_their_marks_written(alice, agreement, staff, clock_at):
    clock_at()
    tickets = file_tickets(alice, 3)
    for ticket in tickets:
        ticket_reply(ticket=ticket, author=staff["l1"], body="On it.")  # response met
    clock_at(minutes(RESOLUTION_MINUTES + 1))
    with CaptureQueriesContext(connection) as captured:
        assert escalation_sweep(queue=False).breaches == 3
    assert len(_clock_updates(captured)) == 1
    for ticket in tickets:
        clock = resolution_clock(ticket)
        assert clock.breached_at is not None and clock.stopped_at is None
        ticket.refresh_from_db()
        assert ticket.sla_breached
        expected = sla_columns(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))
        assert {column: getattr(ticket, column) for column in expected} == expected


@pytest.mark.parametrize("batch_size", [None, 1], ids=["one-batch", "batches-of-one"])
def test_a_moved_ticket_releases_an_assignee_who_cannot_work_the_new_tier(
    alice, agreement, staff, clock_at, batch_size
):
    clock_at()
    kept, released = file_tickets(alice, 2)
    ticket_assign(ticket=kept, actor=staff["l2"], assignee=staff["l2"])
    ticket_assign(ticket=released, actor=staff["l1"], assignee=staff["l1"])
    clock_at(minutes(L1 + 1))
    assert escalation_sweep(batch_size=batch_size).escalations == 2
    kept.refresh_from_db()
    released.refresh_from_db()
    assert (kept.tier, kept.assignee) == (Tier.L2, staff["l2"])
    assert (released.tier, released.assignee) == (Tier.L2, None)
    change = TicketEvent.objects.filter(ticket=released, kind=EventKind.ASSIGNEE).last()
    assert change.before["assignee"]["id"] == staff["l1"].pk and change.after["assignee"] is None
    assert not TicketEvent.objects.filter(
        ticket=kept, kind=EventKind.ASSIGNEE, after__assignee=None
    ).exists()


@pytest.mark.parametrize("batch_size", [None, 1], ids=["one-batch", "batches-of-one"])
def test_a_batch_of_warnings_tells_the_assignee_or_the_group_once(
    alice, agreement, staff, clock_at, batch_size
):
    clock_at()
    assigned, unassigned = file_tickets(alice, 2)
    ticket_assign(ticket=assigned, actor=staff["l1"], assignee=staff["l1"])
    clock_at(minutes(L1 * WARNING_PERCENT / 100))
    result = escalation_sweep(batch_size=batch_size)
    assert (result.warnings, result.breaches, result.escalations) == (2, 0, 0)
    for ticket in (assigned, unassigned):
        clock = response_clock(ticket, Tier.L1)
        assert clock.warned_at is not None and clock.is_running
        assert notified(ticket, f"clock:{clock.pk}:warning") == {
            ("l1tech", NotificationKind.SLA_WARNING)
        }
        record = Escalation.objects.get(ticket=ticket)
        assert (record.kind, record.actions) == (EscalationKind.WARNING, [])
        # A warning that only notifies is in the history as CLOCK_WARNED, not ESCALATED.
        kinds = event_kinds(ticket)
        assert EventKind.CLOCK_WARNED in kinds and EventKind.ESCALATED not in kinds
    assert escalation_sweep(batch_size=batch_size).warnings == 0


def test_a_breach_that_raises_the_priority_writes_the_ticket_row_once(
    alice, agreement, staff, clock_at
):
    clock_at()
    (ticket,) = file_tickets(alice, 1)
    ticket = ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L3, reason="test")
    before = ticket.priority
    clock_at(minutes(RESPONSE_MINUTES[Tier.L3] + 1))
    with CaptureQueriesContext(connection) as captured:
        result = escalation_sweep(queue=False)
    assert result.breaches == 1
    # The mark's SLA columns go with the priority service's row (no second write after it).
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert sum(1 for sql in updates if sql.upper().startswith('UPDATE "TICKETS_TICKET"')) == 1
    ticket.refresh_from_db()
    assert ticket.priority == Priority.raised(before) and ticket.sla_breached
    assert Escalation.objects.get(ticket=ticket).actions == [f"priority:{ticket.priority}"]
    columns = sla_columns(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))
    assert {f: getattr(ticket, f) for f in columns} == columns
