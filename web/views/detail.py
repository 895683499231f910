"""The ticket page for customers and staff, and every action posted from it.

Each action is a POST that calls one service and redirects back (so a reload
never repeats it). A refused action re-renders the page with the message next
to the form that caused it, with the service's 4xx status, and changes nothing.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Tier
from common.errors import Conflict
from escalation.selectors import handoff_chain, pinned_handoff
from escalation.services import manual as escalation
from sla.selectors import applied_agreement, ticket_sla_status
from tickets import downloads, services
from tickets import selectors as ticket_selectors
from tickets.markdown import render_markdown
from tickets.models import Status, Ticket
from tickets.permissions import can_work, ticket_capabilities

from .. import forms as web_forms
from ..forms import Submission, submit_form
from ..history import history_entries
from ..pages import or_404


def _ticket(request, reference: str) -> Ticket:
    return or_404(ticket_selectors.ticket_get, user=request.user, reference=reference)


def _detail_context(request, ticket: Ticket, bound: dict | None = None) -> dict:
    user = request.user
    able = ticket_capabilities(ticket=ticket, user=user)
    staff = able.work
    # A technician who worked the ticket before it moved on reads it, acts no more.
    handed_off = able.handed_off
    replies = ticket_selectors.ticket_replies(ticket=ticket, user=user)
    attachments = ticket_selectors.ticket_attachments(ticket=ticket, user=user).filter(
        reply__isnull=True
    )
    targets = able.statuses
    labels = dict(Status.choices)
    forms = {
        "reply": web_forms.ReplyForm(),
        "status": web_forms.StatusForm(),
        "priority": web_forms.PriorityForm(initial={"priority": ticket.priority}),
        "assign": web_forms.AssignForm(),
        "acknowledge": web_forms.AcknowledgeForm(),
        "escalate": web_forms.EscalateForm(),
        "deescalate": web_forms.DeescalateForm(),
        "rating": web_forms.RatingForm(),
        "reopen": web_forms.ReopenForm(),
        "files": web_forms.AttachmentsForm(),
    }
    forms.update(bound or {})
    tiers = dict(Tier.choices)
    forms["deescalate"].fields["tier"].choices = [(t, tiers[t]) for t in able.deescalate_to]
    forms["status"].fields["status"].choices = [(t, labels[t]) for t in targets]
    context = {
        "ticket": ticket,
        "staff": staff,
        "staff_view": staff or handed_off,
        "handed_off": handed_off,
        "customer": able.customer,
        "sla_status": ticket_sla_status(ticket),
        "agreement": applied_agreement(ticket),
        "description_html": render_markdown(ticket.description),
        "replies": [(reply, render_markdown(reply.body)) for reply in replies],
        "attachments": attachments,
        "forms": forms,
        "targets": targets,
        "can_reopen": Status.OPEN in targets and ticket.status == Status.RESOLVED,
        "can_close": Status.CLOSED in targets,
        "can_rate": able.can_rate,
        "can_reply": able.can_reply,
    }
    if staff or handed_off:
        chain = handoff_chain(ticket=ticket)
        notes = {step.pk: step.note for step in chain}
        context.update(
            history=history_entries(
                events=ticket_selectors.ticket_events(ticket=ticket, user=user), notes=notes
            ),
            chain=chain,
            chain_html=[(step, render_markdown(step.note)) for step in chain],
            pinned=pinned_handoff(ticket=ticket, chain=chain),
        )
    if staff:
        context.update(
            assignable=ticket_selectors.assignable_users(ticket=ticket),
            can_escalate=able.can_escalate,
            can_deescalate=able.can_deescalate,
        )
    return context


@login_required
@require_GET
def ticket_detail(request, reference):
    ticket = _ticket(request, reference)
    return render(request, "web/ticket_detail.html", _detail_context(request, ticket))


def _again(request, ticket: Ticket, name: str, sent: Submission):
    """The page again, the message next to form `name`, with the form's 4xx status."""
    if sent.status != 400:
        # The service refused: show the ticket as it is now (someone may have changed it).
        ticket.refresh_from_db()
    context = _detail_context(request, ticket, bound={name: sent.form})
    context["failed_form"] = name
    return render(request, "web/ticket_detail.html", context, status=sent.status)


def _action(name: str, form_class: type[forms.Form], done: str):
    """A POST from the ticket page's form `name`: `act(request, ticket, data)` calls one
    service and may return a message more precise than `done`. Then back to the page, so
    a reload never repeats it; a refusal shows the page again and changes nothing."""

    def wrap(act):
        @login_required
        @require_POST
        @wraps(act)
        def view(request, reference):
            ticket = _ticket(request, reference)
            sent = submit_form(request, form_class, lambda data: act(request, ticket, data))
            if not sent.done:
                return _again(request, ticket, name, sent)
            messages.success(request, sent.result or done)
            return redirect("ticket-detail", reference=ticket.reference)

        return view

    return wrap


@_action("reply", web_forms.ReplyForm, _lazy("Reply sent."))
def ticket_reply(request, ticket, data):
    services.ticket_reply(
        ticket=ticket,
        author=request.user,
        body=data["body"],
        internal=data["internal"],
        files=data["attachments"],
    )
    return _("Note saved.") if data["internal"] else None


@_action("files", web_forms.AttachmentsForm, _lazy("Files added."))
def ticket_add_files(request, ticket, data):
    services.ticket_add_attachments(ticket=ticket, uploader=request.user, files=data["files"])


@_action("status", web_forms.StatusForm, _lazy("Status changed."))
def ticket_status(request, ticket, data):
    services.ticket_change_status(
        ticket=ticket,
        actor=request.user,
        status=data["status"],
        expected_status=data["expected_status"] or None,
    )


@_action("priority", web_forms.PriorityForm, _lazy("Priority changed."))
def ticket_priority(request, ticket, data):
    services.ticket_change_priority(ticket=ticket, actor=request.user, priority=data["priority"])


@_action("assign", web_forms.AssignForm, _lazy("You took the ticket."))
def ticket_claim(request, ticket, data):
    services.ticket_assign(
        ticket=ticket,
        actor=request.user,
        assignee=request.user,
        expected_assignee=data["expected_assignee"],
    )


@_action("assign", web_forms.AssignForm, _lazy("Assignee changed."))
def ticket_assign(request, ticket, data):
    services.ticket_assign(
        ticket=ticket,
        actor=request.user,
        assignee=services.assignee_named(
            ticket=ticket, actor=request.user, assignee_id=data["assignee"]
        ),
        expected_assignee=data["expected_assignee"],
    )


@_action("acknowledge", web_forms.AcknowledgeForm, _lazy("Acknowledged."))
def ticket_acknowledge(request, ticket, data):
    services.ticket_acknowledge(ticket=ticket, actor=request.user, message=data["message"])
    if data["message"].strip():
        return _("Acknowledged; the customer got your message.")
    return None


@login_required
@require_POST
def ticket_escalate(request, reference):
    ticket = _ticket(request, reference)
    sent = submit_form(
        request,
        web_forms.EscalateForm,
        lambda data: escalation.ticket_escalate(
            ticket=ticket,
            actor=request.user,
            handoff_note=data["handoff_note"],
            expected_tier=data["expected_tier"],
        ),
    )
    if not sent.done:
        return _again(request, ticket, "escalate", sent)
    if can_work(ticket=sent.result.ticket, user=request.user):
        messages.success(request, _("Escalated with your hand-off note."))
        return redirect("ticket-detail", reference=ticket.reference)
    # The ticket left this technician's tier: back to their queue, with the way to it.
    text = _("Escalated: %(ref)s is now with %(tier)s, with your hand-off note.") % {
        "ref": ticket.reference,
        "tier": sent.result.ticket.get_tier_display(),
    }
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            text,
            reverse("ticket-detail", args=[ticket.reference]),
            _("Open the ticket"),
        ),
    )
    return redirect("queue")


@_action("deescalate", web_forms.DeescalateForm, _lazy("Sent back with your note."))
def ticket_deescalate(request, ticket, data):
    escalation.ticket_deescalate(
        ticket=ticket,
        actor=request.user,
        tier=data["tier"],
        reason=data["reason"],
        expected_tier=data["expected_tier"],
    )


@_action("reopen", web_forms.ReopenForm, _lazy("Reopened with your message."))
def ticket_reopen(request, ticket, data):
    """The customer reopens a resolved ticket, saying why: the reason is their reply."""
    if ticket.status != Status.RESOLVED:
        raise Conflict(_("Only a resolved ticket can be reopened."), code="invalid_transition")
    services.ticket_reply(ticket=ticket, author=request.user, body=data["reason"])


@_action("rating", web_forms.RatingForm, _lazy("Thank you for your rating."))
def ticket_rate(request, ticket, data):
    services.ticket_rate(
        ticket=ticket, actor=request.user, rating=data["rating"], comment=data["comment"]
    )


@login_required
@require_GET
def attachment_download(request, reference, attachment_id):
    return or_404(
        downloads.attachment_download,
        user=request.user,
        ticket_id=Ticket.id_from_reference(reference),
        attachment_id=attachment_id,
    )
