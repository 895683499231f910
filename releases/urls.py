from django.contrib.auth.decorators import login_required
from django.urls import path

from knowledge.urls import PageIdConverter  # noqa: F401  (registers "pageid")

from . import views
from .feeds import ReleaseFeed

R = "releases/<pageid:release_id>/"
urlpatterns = [
    path("releases/", views.release_index, name="releases"),
    path("releases/new/", views.release_new, name="release-new"),
    # Signed-in users only, like the page and the API: release notes are for the customers.
    path("releases/feed/", login_required(ReleaseFeed()), name="release-feed"),
    path(R, views.release_detail, name="release-detail"),
    path(f"{R}publish/", views.release_publish, name="release-publish"),
]
