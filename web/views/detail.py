"""The ticket page for customers and staff, and every action posted from it.

Each action is a POST that calls one service and redirects back (so a reload
never repeats it). A refused action re-renders the page with the message next
to the form that caused it, with the service's 4xx status, and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Tier
from common.errors import ApplicationError, Conflict, NotFound
from escalation.selectors import handoff_chain, pinned_handoff
from escalation.services import manual as escalation
from sla.selectors import applied_agreement, ticket_sla_status
from tickets import downloads, services
from tickets import selectors as ticket_selectors
from tickets.markdown import render_markdown
from tickets.models import Status, Ticket
from tickets.permissions import can_work, ticket_capabilities

from .. import forms as web_forms
from ..forms import apply_service_error
from ..history import history_entries


def _ticket(request, reference: str) -> Ticket:
    try:
        return ticket_selectors.ticket_get(user=request.user, reference=reference)
    except NotFound as error:
        raise Http404(error.detail) from error


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


def _refused(request, ticket: Ticket, name: str, form, error: ApplicationError):
    apply_service_error(form, error)
    ticket.refresh_from_db()
    context = _detail_context(request, ticket, bound={name: form})
    context["failed_form"] = name
    return render(request, "web/ticket_detail.html", context, status=error.status_code)


def _invalid(request, ticket: Ticket, name: str, form):
    context = _detail_context(request, ticket, bound={name: form})
    context["failed_form"] = name
    return render(request, "web/ticket_detail.html", context, status=400)


def _done(request, ticket: Ticket, message: str):
    messages.success(request, message)
    return redirect("ticket-detail", reference=ticket.reference)


def _run(request, ticket, name, form, action, message):
    """Validate `form`, call `action(data)`; re-render on any refusal."""
    if not form.is_valid():
        return _invalid(request, ticket, name, form)
    try:
        action(form.cleaned_data)
    except ApplicationError as error:
        return _refused(request, ticket, name, form, error)
    return _done(request, ticket, message)


@login_required
@require_POST
def ticket_reply(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.ReplyForm(request.POST, request.FILES)

    def act(data):
        services.ticket_reply(
            ticket=ticket,
            author=request.user,
            body=data["body"],
            internal=data["internal"],
            files=request.FILES.getlist("attachments"),
        )

    internal = request.POST.get("internal") == "on"
    return _run(
        request, ticket, "reply", form, act, _("Note saved.") if internal else _("Reply sent.")
    )


@login_required
@require_POST
def ticket_add_files(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.AttachmentsForm(request.POST, request.FILES)

    def act(data):
        services.ticket_add_attachments(
            ticket=ticket, uploader=request.user, files=request.FILES.getlist("files")
        )

    return _run(request, ticket, "files", form, act, _("Files added."))


@login_required
@require_POST
def ticket_status(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.StatusForm(request.POST)

    def act(data):
        services.ticket_change_status(
            ticket=ticket,
            actor=request.user,
            status=data["status"],
            expected_status=data["expected_status"] or None,
        )

    return _run(request, ticket, "status", form, act, _("Status changed."))


@login_required
@require_POST
def ticket_priority(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.PriorityForm(request.POST)

    def act(data):
        services.ticket_change_priority(
            ticket=ticket, actor=request.user, priority=data["priority"]
        )

    return _run(request, ticket, "priority", form, act, _("Priority changed."))


@login_required
@require_POST
def ticket_claim(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.AssignForm(request.POST)

    def act(data):
        services.ticket_assign(
            ticket=ticket,
            actor=request.user,
            assignee=request.user,
            expected_assignee=form.expected_assignee_value(),
        )

    return _run(request, ticket, "assign", form, act, _("You took the ticket."))


@login_required
@require_POST
def ticket_assign(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.AssignForm(request.POST)

    def act(data):
        assignee = None
        if data["assignee"]:
            assignee = (
                ticket_selectors.assignable_users(ticket=ticket).filter(pk=data["assignee"]).first()
            )
            if assignee is None:
                raise ApplicationError(
                    _("Choose someone who can work this ticket."),
                    fields={"assignee": [_("Choose someone who can work this ticket.")]},
                )
        services.ticket_assign(
            ticket=ticket,
            actor=request.user,
            assignee=assignee,
            expected_assignee=form.expected_assignee_value(),
        )

    return _run(request, ticket, "assign", form, act, _("Assignee changed."))


@login_required
@require_POST
def ticket_acknowledge(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.AcknowledgeForm(request.POST)

    def act(data):
        services.ticket_acknowledge(ticket=ticket, actor=request.user, message=data["message"])

    said = bool(request.POST.get("message", "").strip())
    done = _("Acknowledged; the customer got your message.") if said else _("Acknowledged.")
    return _run(request, ticket, "acknowledge", form, act, done)


@login_required
@require_POST
def ticket_escalate(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.EscalateForm(request.POST)

    if not form.is_valid():
        return _invalid(request, ticket, "escalate", form)
    try:
        record = escalation.ticket_escalate(
            ticket=ticket,
            actor=request.user,
            handoff_note=form.cleaned_data["handoff_note"],
            expected_tier=form.cleaned_data["expected_tier"],
        )
    except ApplicationError as error:
        return _refused(request, ticket, "escalate", form, error)
    if can_work(ticket=record.ticket, user=request.user):
        return _done(request, ticket, _("Escalated with your hand-off note."))
    # The ticket left this technician's tier: back to their queue, with the way to it.
    text = _("Escalated: %(ref)s is now with %(tier)s, with your hand-off note.") % {
        "ref": ticket.reference,
        "tier": record.ticket.get_tier_display(),
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


@login_required
@require_POST
def ticket_deescalate(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.DeescalateForm(request.POST)
    form.fields["tier"].choices = Tier.choices

    def act(data):
        escalation.ticket_deescalate(
            ticket=ticket,
            actor=request.user,
            tier=data["tier"],
            reason=data["reason"],
            expected_tier=data["expected_tier"],
        )

    return _run(request, ticket, "deescalate", form, act, _("Sent back with your note."))


@login_required
@require_POST
def ticket_reopen(request, reference):
    """The customer reopens a resolved ticket, saying why: the reason is their reply."""
    ticket = _ticket(request, reference)
    form = web_forms.ReopenForm(request.POST)

    def act(data):
        if ticket.status != Status.RESOLVED:
            raise Conflict(_("Only a resolved ticket can be reopened."), code="invalid_transition")
        services.ticket_reply(ticket=ticket, author=request.user, body=data["reason"])

    return _run(request, ticket, "reopen", form, act, _("Reopened with your message."))


@login_required
@require_POST
def ticket_rate(request, reference):
    ticket = _ticket(request, reference)
    form = web_forms.RatingForm(request.POST)

    def act(data):
        services.ticket_rate(
            ticket=ticket, actor=request.user, rating=data["rating"], comment=data["comment"]
        )

    return _run(request, ticket, "rating", form, act, _("Thank you for your rating."))


@login_required
@require_GET
def attachment_download(request, reference, attachment_id):
    try:
        return downloads.attachment_download(
            user=request.user,
            ticket_id=Ticket.id_from_reference(reference),
            attachment_id=attachment_id,
        )
    except NotFound as error:
        raise Http404(error.detail) from error
