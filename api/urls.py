"""REST API v1 under /api/v1/, schema at /api/schema/, docs at /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .v1.errors import json_not_found

app_name = "api"

urlpatterns = [
    path("v1/", include(("api.v1.urls", "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script, so the CSP holds.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ answers with the API's error shape, not an HTML page.
    re_path(r"^", json_not_found),
]
