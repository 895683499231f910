"""Browser pages of known solutions and known problems: thin, through selectors and services."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError, NotAllowed
from common.ids import parse_id
from tickets.markdown import render_markdown
from tickets.models import Ticket
from tickets.selectors import ticket_get
from web.forms import Submission, submit_form
from web.pages import or_404

from . import selectors, services
from .forms import ArticleForm, DeflectForm, LinkTicketsForm, ProblemForm, SearchForm, TicketRefForm
from .models import Article, ArticleStatus, Language

PAGE_SIZE = 20


def _staff_only(request) -> None:
    if not request.user.is_support_staff:
        raise Http404(_("No such page."))


def _article(request, article_id: int) -> Article:
    return or_404(selectors.article_get, user=request.user, article_id=article_id)


def _ticket(request, reference: str) -> Ticket:
    return or_404(ticket_get, user=request.user, reference=reference)


def _refused(request, error: ApplicationError, fallback: str, **kwargs):
    messages.error(request, error.detail)
    return redirect(fallback, **kwargs)


def customer_language(request) -> str:
    language = (request.user.language or translation.get_language() or "en")[:2]
    return language if language in Language.values else Language.EN


@login_required
@require_GET
def article_index(request):
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    if text.strip():
        articles = selectors.article_search(user=request.user, text=text)
    else:
        articles = selectors.article_list(user=request.user).order_by("-updated_at", "-id")
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    hits = selectors.with_snippets(list(page.object_list), text)
    query = urlencode({"q": text}) if text else ""
    context = {"form": form, "text": text, "page": page, "hits": hits, "query": query}
    return render(request, "knowledge/index.html", context, status=200 if form.is_valid() else 400)


@login_required
@require_GET
def article_detail(request, article_id):
    article = _article(request, article_id)
    context = {
        "article": article,
        "body_html": render_markdown(article.body),
        "can_publish": article.status != ArticleStatus.PUBLISHED
        and services.can_publish(request.user),
    }
    if request.user.is_support_staff:
        context["versions"] = selectors.article_versions(article=article)
    return render(request, "knowledge/detail.html", context)


def _article_page(request, sent: Submission, article: Article | None):
    if sent.done:
        messages.success(request, _("Article saved."))
        return redirect("article-detail", article_id=(article or sent.result).pk)
    context = {"form": sent.form, "article": article}
    return render(request, "knowledge/edit.html", context, status=sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request):
    _staff_only(request)
    sent = submit_form(
        request,
        ArticleForm,
        lambda data: services.article_create(author=request.user, **data),
        initial={"language": customer_language(request), "status": "draft"},
    )
    return _article_page(request, sent, None)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, article_id):
    _staff_only(request)
    article = _article(request, article_id)
    sent = submit_form(
        request,
        ArticleForm,
        lambda data: services.article_update(article=article, editor=request.user, data=data),
        initial=model_to_dict(article, fields=ArticleForm.base_fields),
    )
    return _article_page(request, sent, article)


@login_required
@require_POST
def article_publish(request, article_id):
    _staff_only(request)
    article = _article(request, article_id)
    try:
        services.article_publish(article=article, actor=request.user)
    except ApplicationError as error:
        return _refused(request, error, "article-detail", article_id=article.pk)
    messages.success(request, _("Article published."))
    return redirect("article-detail", article_id=article.pk)


@login_required
@require_GET
def suggestions(request):
    """The deflection panel's content for what the customer typed so far (a fragment)."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    hits = (
        selectors.suggestions(user=request.user, text=text, language=customer_language(request))
        if len(text.strip()) >= 3
        else []
    )
    token = request.GET.get("token", "")[:64]
    return render(request, "knowledge/_suggestions.html", {"hits": hits, "token": token})


@login_required
@require_POST
def article_deflect(request, article_id):
    """ "This solved it": nothing is filed; counted once per suggestion."""
    article = _article(request, article_id)
    form = DeflectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This suggestion has expired; open the form again."))
        return redirect("ticket-new")
    services.deflection_record(article=article, user=request.user, token=form.cleaned_data["token"])
    messages.success(request, _("Glad it helped. No ticket was filed."))
    return redirect("article-detail", article_id=article.pk)


@login_required
@require_POST
def article_link(request, article_id):
    """From the verify panel: this article solved the ticket."""
    _staff_only(request)
    article = _article(request, article_id)
    form = TicketRefForm(request.POST)
    if not form.is_valid():
        raise Http404(_("No such ticket."))
    ticket = _ticket(request, form.cleaned_data["ticket"])
    try:
        services.article_link_ticket(article=article, ticket=ticket, actor=request.user)
    except ApplicationError as error:
        return _refused(request, error, "ticket-detail", reference=ticket.reference)
    messages.success(request, _("Linked “%(title)s” as the solution.") % {"title": article.title})
    return redirect("ticket-detail", reference=ticket.reference)


@login_required
@require_POST
def article_from_ticket(request, reference):
    _staff_only(request)
    ticket = _ticket(request, reference)
    try:
        article = services.article_draft_from_ticket(ticket=ticket, author=request.user)
    except ApplicationError as error:
        return _refused(request, error, "ticket-detail", reference=ticket.reference)
    messages.success(request, _("Draft article written from %(ref)s.") % {"ref": ticket.reference})
    return redirect("article-edit", article_id=article.pk)


@login_required
@require_GET
def deflections(request):
    """Managers: deflections and solving links per article in a period."""
    if not request.user.is_manager:
        raise Http404(_("No such page."))
    try:
        days = max(1, min(int(request.GET.get("days", "30")), 366))
    except ValueError:
        days = 30
    until = timezone.now()
    since = until - timedelta(days=days)
    rows = selectors.deflection_counts(since=since, until=until)[:100]
    context = {
        "rows": rows,
        "days": days,
        "total": selectors.deflection_total(since=since, until=until),
        "periods": [7, 30, 90, 365],
    }
    return render(request, "knowledge/deflections.html", context)


# ------------------------------------------------------------------ problems


def _problem(request, problem_id: int):
    return or_404(selectors.problem_get, user=request.user, problem_id=problem_id)


@login_required
@require_GET
def problem_index(request):
    _staff_only(request)
    page = Paginator(selectors.problem_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "knowledge/problems.html", {"page": page, "problems": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def problem_new(request):
    _staff_only(request)
    # A new problem starts open: the status field is for later edits.
    sent = submit_form(
        request,
        ProblemForm,
        lambda data: services.problem_create(
            actor=request.user, **{k: v for k, v in data.items() if k != "status"}
        ),
    )
    if sent.done:
        return redirect("problem-detail", problem_id=sent.result.pk)
    return render(request, "knowledge/problem_edit.html", {"form": sent.form}, status=sent.status)


@login_required
@require_http_methods(["GET", "POST"])
def problem_detail(request, problem_id):
    _staff_only(request)
    problem = _problem(request, problem_id)
    # An empty status keeps the problem's own (a fixed problem is not offered in the list).
    sent = submit_form(
        request,
        ProblemForm,
        lambda data: services.problem_update(
            problem=problem,
            actor=request.user,
            data={k: v for k, v in data.items() if k != "status" or v},
        ),
        initial=model_to_dict(problem, fields=ProblemForm.base_fields),
    )
    if sent.done:
        messages.success(request, _("Problem saved."))
        return redirect("problem-detail", problem_id=problem.pk)
    tickets = Paginator(selectors.problem_tickets(problem=problem, user=request.user), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "problem": problem,
        "form": sent.form,
        "link_form": LinkTicketsForm(),
        "tickets": tickets,
        "description_html": render_markdown(problem.description),
        "workaround_html": render_markdown(problem.workaround),
    }
    return render(request, "knowledge/problem_detail.html", context, status=sent.status)


_REF = re.compile(r"(?:HD-?)?(\d{1,18})", re.IGNORECASE | re.ASCII)


@login_required
@require_POST
def problem_link_chosen(request):
    """From the ticket page: link this ticket to the problem chosen in the list."""
    _staff_only(request)
    problem_id = parse_id(request.POST.get("problem"))
    if problem_id is None:
        raise Http404(_("No such problem."))
    return problem_link(request, problem_id)


@login_required
@require_POST
def problem_link(request, problem_id):
    """Link tickets by reference (from the problem page or the ticket page)."""
    _staff_only(request)
    problem = _problem(request, problem_id)
    form = LinkTicketsForm(request.POST)
    back = request.POST.get("next", "")
    if not form.is_valid():
        messages.error(request, _("Name at least one ticket."))
        return redirect("problem-detail", problem_id=problem.pk)
    ids = [int(m) for m in _REF.findall(form.cleaned_data["references"])]
    try:
        linked = services.problem_link_tickets(problem=problem, actor=request.user, ids=ids)
    except (ApplicationError, NotAllowed) as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("%(n)d ticket(s) linked.") % {"n": linked})
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("problem-detail", problem_id=problem.pk)
