from django.urls import path, register_converter

from . import views


class PageIdConverter:
    """An id in a page path: up to 18 ASCII digits, so a huge number is a 404, not a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(PageIdConverter, "pageid")

A = "knowledge/<pageid:article_id>/"
P = "problems/<pageid:problem_id>/"
urlpatterns = [
    path("knowledge/", views.article_index, name="knowledge"),
    path("knowledge/new/", views.article_new, name="article-new"),
    path("knowledge/suggest/", views.suggestions, name="article-suggest"),
    path("knowledge/deflections/", views.deflections, name="deflections"),
    path(
        "knowledge/from-ticket/<str:reference>/",
        views.article_from_ticket,
        name="article-from-ticket",
    ),
    path(A, views.article_detail, name="article-detail"),
    path(f"{A}edit/", views.article_edit, name="article-edit"),
    path(f"{A}publish/", views.article_publish, name="article-publish"),
    path(f"{A}solved-it/", views.article_deflect, name="article-deflect"),
    path(f"{A}link/", views.article_link, name="article-link"),
    path("problems/", views.problem_index, name="problems"),
    path("problems/new/", views.problem_new, name="problem-new"),
    path("problems/link/", views.problem_link_chosen, name="problem-link-chosen"),
    path(P, views.problem_detail, name="problem-detail"),
    path(f"{P}tickets/", views.problem_link, name="problem-link"),
]
