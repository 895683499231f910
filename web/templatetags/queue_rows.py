"""`{% queue_row t %}`: one row of the queue, built in Python.

The queue shows 25 rows and polls every few seconds; through the template engine a row cost
about 0.4 ms (a dozen lookups, filters, translations and a URL each), most of a page's
rendering. The markup is the one `web/_queue_rows.html` had inline, byte for byte
(tests/web/test_queue_row.py renders both and compares them).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from common.when import zoned_text

from .web_tags import sla_label, status_label, tier_label

register = template.Library()


def _countdown(t, sla: str) -> str:
    due = t.next_due_at
    if due and sla != "paused":
        local = timezone.localtime(due) if timezone.is_aware(due) else due
        words = _("breached") if sla == "breached" else _timeuntil(due)
        return (
            f'\n      <span class="countdown sla-{esc(sla)}" data-due="{esc(local.isoformat())}"'
            f' title="{esc(zoned_text(due))}">{esc(words)}</span>\n      '
        )
    if sla == "breached":
        return f'<span class="countdown sla-breached">{esc(_("breached"))}</span>\n      '
    return f'<span class="countdown sla-{esc(sla)}">{esc(sla_label(sla))}</span>'


def _timeuntil(value) -> str:
    try:
        return timeuntil(value)
    except (ValueError, TypeError):
        return ""


@register.simple_tag
def queue_row(t) -> SafeString:
    sla = str(t.sla_status)
    reference = t.reference
    owed = ""
    if t.next_response_due_at and t.next_response_due_at == t.next_due_at and sla != "paused":
        owed = (
            f'<span class="meta block" title="'
            f'{esc(_("The customer wrote and is waiting for an answer"))}">'
            f"{esc(_('answer owed'))}</span>"
        )
    vip = ""
    if t.is_vip:
        vip = f' <span class="badge vip" title="{esc(_("VIP requester"))}">{esc(_("VIP"))}</span>'
    organisation = t.organisation if t.organisation else "—"
    assignee = t.assignee if t.assignee else _("Unassigned")
    select = _("Select %(ref)s") % {"ref": esc(reference)}  # as blocktranslate: the value
    url = reverse("ticket-detail", args=[reference])
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<tr class="row sla-{esc(sla)}" data-reference="{esc(reference)}" data-sla="{esc(sla)}">\n'
        f'    <td class="select-cell"><input type="checkbox" name="ids" value="{esc(t.pk)}" '
        f'form="bulk-form" aria-label="{select}"></td>\n'
        f'    <td class="due-cell">\n      {_countdown(t, sla)}\n      {owed}\n'
        f'      <span class="visually-hidden">{esc(sla_label(sla))}</span>\n'
        "    </td>\n"
        f'    <td><a href="{esc(url)}"><span class="ref">{esc(reference)}</span> '
        f'{esc(t.subject)}</a>{vip}<span class="meta block">{esc(t.requester)} · '
        f"{esc(tier_label(t.tier))}</span></td>\n"
        f'    <td><span class="badge prio-{esc(t.priority)}">{esc(t.priority)}</span></td>\n'
        f"    <td>{esc(status_label(t.status))}</td>\n"
        f"    <td>{esc(organisation)}</td>\n"
        f"    <td>{esc(assignee)}</td>\n"
        "  </tr>"
    )
