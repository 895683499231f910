"""Queue views: shipped and saved views (filters + sort), their counts, sortable columns,
and the last used view remembered per user. Kept beside the queue page, which calls
`choose`, `refine` and `views_context`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from desk.models import QueueMemory, SavedView
from desk.selectors import tag_names
from desk.services.views import queue_view_remember, saved_view_delete, saved_view_save
from sla.selectors import sla_status_condition
from tickets.models import Ticket

from ..forms import QueueFilterForm
from ..paging import Narrowing, bounded_counts
from ..selectors import queue_scope, queue_search, without_search

if TYPE_CHECKING:
    from accounts.models import User

# GET keys a view stores: the filter form's fields plus the views' own.
VIEW_KEYS = ("tier", "q", "status", "priority", "organisation", "who", "vip", "sla", "tag", "sort")
SORTS = {
    "due": ("next_due_at",),
    "priority": ("priority",),
    "created": ("created_at",),
    "updated": ("updated_at",),
    "reference": ("id",),
    "status": ("status",),
}
SHIPPED: tuple[tuple[str, Any, dict[str, str]], ...] = (
    ("mine", gettext_lazy("My open tickets"), {"who": "mine", "tier": "all"}),
    ("unassigned", gettext_lazy("Unassigned in my tier"), {"who": "unassigned"}),
    ("breached", gettext_lazy("Breached"), {"sla": "breached", "tier": "all"}),
    ("waiting", gettext_lazy("Waiting on customer"), {"status": "pending_customer", "tier": "all"}),
    ("vip", gettext_lazy("VIP"), {"vip": "on", "tier": "all"}),
)


@dataclass
class View:
    key: str
    label: str
    filters: dict[str, str]
    saved: SavedView | None = None

    def query(self) -> str:
        data = QueryDict(mutable=True)
        data["view"] = self.key
        return data.urlencode()


def _default_tier(user: User) -> str:
    return user.tier if user.is_technician else "all"


def available_views(*, user: User) -> list[View]:
    views = []
    for key, label, filters in SHIPPED:
        filters = dict(filters)
        if filters.get("tier") == "all" and len(user.visible_tiers) < 2:
            filters["tier"] = _default_tier(user)
        filters.setdefault("tier", _default_tier(user))
        views.append(View(key, str(label), filters))
    for saved in SavedView.objects.filter(user=user).order_by("name", "id"):
        views.append(View(f"saved-{saved.pk}", saved.name, dict(saved.filters), saved))
    return views


def choose(*, user: User, data: QueryDict, views: list[View], partial: bool) -> View | None:
    """Fill `data` from the chosen view (?view=key), or from the last used one when the
    queue is opened bare; remember an explicit choice."""
    key = data.get("view", "")
    explicit = bool(key)
    if not key and not data and not partial:
        memory = QueueMemory.objects.filter(user=user).values_list("view", flat=True).first()
        key = memory or ""
    view = next((v for v in views if v.key == key), None)
    if view is None:
        data.pop("view", None)
        return None
    for name, value in view.filters.items():
        if name in VIEW_KEYS and name not in data:
            data[name] = str(value)
    data["view"] = view.key
    if explicit and not partial:
        queue_view_remember(user=user, key=view.key)
    return view


def refine(tickets: QuerySet[Ticket], *, data: QueryDict) -> QuerySet[Ticket]:
    """The views' own filters (SLA breached, tag) and the chosen column sort."""
    if data.get("sla") == "breached":
        tickets = tickets.filter(sla_status_condition("breached", now=timezone.now()))
    tag = (data.get("tag") or "").strip()[:50]
    if tag:
        tickets = tickets.filter(tags__name__iexact=tag)
    sort = data.get("sort", "")
    fields = SORTS.get(sort.lstrip("-"))
    if fields:
        prefix = "-" if sort.startswith("-") else ""
        tickets = tickets.order_by(*(prefix + f for f in fields), "-id")
    return tickets


def _view_tickets(
    *, user: User, filters: dict[str, str]
) -> tuple[QuerySet[Ticket], Narrowing | None]:
    """A view's tickets without its search, and the search (counted as the page reads it)."""
    data = QueryDict(mutable=True)
    data.update(filters)
    data.setdefault("tier", _default_tier(user))
    form = QueueFilterForm(data, tiers=user.visible_tiers)
    cleaned = form.cleaned_data if form.is_valid() else {"tier": _default_tier(user)}
    tickets = refine(queue_scope(user=user, filters=without_search(cleaned)), data=data)
    return tickets, queue_search(cleaned)


# A view's count stops here ("100+"): each is then at most that many index entries read.
VIEW_COUNT_CAP = 100


def view_counts(*, user: User, views: list[View]) -> dict[str, int]:
    """Every view's ticket count, up to VIEW_COUNT_CAP + 1 (more means "100+"), in one
    query: each view is a bounded subquery of the same queue selector the list uses (so
    a count always matches its list), read through the queue's indexes and stopping at
    the cap, instead of counting every active ticket of the tier once per view. A view
    with a search counts it as the page reads it (web.paging.bounded_counts: a second
    query only for rare words)."""
    if not views:
        return {}
    lists = [_view_tickets(user=user, filters=view.filters) for view in views]
    figures = bounded_counts(lists, cap=VIEW_COUNT_CAP)
    return {view.key: figures[index] for index, view in enumerate(views)}


def views_context(*, user: User, data: QueryDict, views: list[View], chosen: View | None) -> dict:
    counts = view_counts(user=user, views=views)
    rows = [
        {
            "key": v.key,
            "label": v.label,
            "count": min(counts[v.key], VIEW_COUNT_CAP),
            "capped": counts[v.key] > VIEW_COUNT_CAP,
            "query": v.query(),
            "saved": v.saved,
        }
        for v in views
    ]
    current = QueryDict(mutable=True)
    for name in VIEW_KEYS:
        if data.get(name):
            current[name] = data[name]
    return {
        "views": rows,
        "chosen_view": chosen,
        "view_query": current.urlencode(),
        "tag_names": tag_names(),
        "tag": data.get("tag", ""),
    }


def sort_context(*, data: QueryDict) -> dict:
    rest = data.copy()
    for name in ("sort", "page", "cursor", "partial"):
        rest.pop(name, None)
    return {"sort": data.get("sort", ""), "sort_query": rest.urlencode()}


@login_required
@require_POST
def queue_view_save(request):
    """Save the queue's current filters and sort under a name."""
    if not request.user.is_support_staff:
        raise PermissionDenied
    source = QueryDict(request.POST.get("query", ""))
    filters = {name: source[name] for name in VIEW_KEYS if source.get(name) and name != "sort"}
    view = saved_view_save(
        user=request.user,
        name=request.POST.get("name", ""),
        filters={**filters, **({"sort": source["sort"]} if source.get("sort") else {})},
        sort=source.get("sort", ""),
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{_queue_url()}?view=saved-{view.pk}")


@login_required
@require_POST
def queue_view_delete(request, view_id: int):
    view = SavedView.objects.filter(pk=view_id, user=request.user).first()
    if view is None:
        raise Http404("No such view.")
    saved_view_delete(user=request.user, view=view)
    QueueMemory.objects.filter(user=request.user, view=f"saved-{view_id}").delete()
    messages.success(request, _("View deleted."))
    return redirect(_queue_url())


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("queue")
