"""The Atom feed of published maintenance releases, for every signed-in user."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from tickets.markdown import render_markdown

from .models import Release
from .selectors import published_feed


class ReleaseFeed(Feed):
    feed_type = Atom1Feed
    title = _("Tierdesk maintenance releases")
    subtitle = _("Every maintenance release, available to every customer at once.")

    def link(self) -> str:
        return reverse("releases")

    def items(self):
        return published_feed()

    def item_title(self, item: Release) -> str:
        return f"{item.version} {item.title}"

    def item_description(self, item: Release) -> str:
        return render_markdown(item.notes)

    def item_link(self, item: Release) -> str:
        return reverse("release-detail", args=[item.pk])

    def item_pubdate(self, item: Release):
        return item.published_at

    def item_updateddate(self, item: Release):
        return item.published_at
