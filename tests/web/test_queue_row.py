# ruff: noqa: E501 - the reference markup is the template's, lines and all
"""A queue row is built in Python (web/templatetags/queue_rows.py) instead of through the
template engine: it must be the markup the template gave, byte for byte, for every shape of
ticket, in both languages and in any zone."""

import zoneinfo
from datetime import timedelta

import pytest
from django.template import engines
from django.utils import timezone, translation

from tests.factories import TicketFactory
from tickets.models import Status
from web.selectors import queue_tickets
from web.templatetags.queue_rows import queue_row

pytestmark = pytest.mark.django_db

# The row as web/_queue_rows.html wrote it before it moved to Python.
TEMPLATE_ROW = """{% load i18n web_tags %}<tr class="row sla-{{ t.sla_status }}" data-reference="{{ t.reference }}" data-sla="{{ t.sla_status }}">
    <td class="select-cell"><input type="checkbox" name="ids" value="{{ t.pk }}" form="bulk-form" aria-label="{% blocktranslate with ref=t.reference %}Select {{ ref }}{% endblocktranslate %}"></td>
    <td class="due-cell">
      {% if t.next_due_at and t.sla_status != "paused" %}
      <span class="countdown sla-{{ t.sla_status }}" data-due="{{ t.next_due_at|date:'c' }}" title="{{ t.next_due_at|when_text }}">{% if t.sla_status == "breached" %}{% translate "breached" %}{% else %}{{ t.next_due_at|timeuntil }}{% endif %}</span>
      {% elif t.sla_status == "breached" %}<span class="countdown sla-breached">{% translate "breached" %}</span>
      {% else %}<span class="countdown sla-{{ t.sla_status }}">{{ t.sla_status|sla_label }}</span>{% endif %}
      {% if t.next_response_due_at and t.next_response_due_at == t.next_due_at and t.sla_status != "paused" %}<span class="meta block" title="{% translate 'The customer wrote and is waiting for an answer' %}">{% translate "answer owed" %}</span>{% endif %}
      <span class="visually-hidden">{{ t.sla_status|sla_label }}</span>
    </td>
    <td><a href="{% url 'ticket-detail' t.reference %}"><span class="ref">{{ t.reference }}</span> {{ t.subject }}</a>{% if t.is_vip %} <span class="badge vip" title="{% translate 'VIP requester' %}">{% translate "VIP" %}</span>{% endif %}<span class="meta block">{{ t.requester }} · {{ t.tier|tier_label }}</span></td>
    <td><span class="badge prio-{{ t.priority }}">{{ t.priority }}</span></td>
    <td>{{ t.status|status_label }}</td>
    <td>{{ t.organisation|default:"—" }}</td>
    <td>{{ t.assignee|default:_("Unassigned") }}</td>
  </tr>"""


@pytest.fixture
def shapes(alice, bob, l1tech):
    now = timezone.now()
    soon, later = now + timedelta(hours=2), now + timedelta(days=2)
    return [
        TicketFactory(requester=alice),  # nothing due: met
        TicketFactory(requester=alice, next_due_at=later, response_due_at=later),  # ok
        TicketFactory(  # warning, the answer owed, VIP, assigned
            requester=bob,
            assignee=l1tech,
            is_vip=True,
            status=Status.OPEN,
            next_due_at=soon,
            next_response_due_at=soon,
            next_response_warn_at=now - timedelta(minutes=5),
        ),
        TicketFactory(requester=alice, sla_breached=True, next_due_at=now - timedelta(hours=1)),
        TicketFactory(requester=alice, sla_breached=True, tier="L2"),  # breached, nothing due
        TicketFactory(requester=alice, sla_paused=True, next_due_at=soon),  # paused
        TicketFactory(
            requester=l1tech, organisation=None, subject='<b>"Quotes" & tags</b>', tier="L3"
        ),
    ]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
def test_a_row_is_the_markup_the_template_wrote(shapes, manager, language, zone):
    rows = list(queue_tickets(user=manager, filters={"tier": "all", "status": "all"}))
    assert len(rows) == len(shapes)
    reference = engines["django"].from_string(TEMPLATE_ROW)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for t in rows:
            assert queue_row(t) == reference.render({"t": t})
