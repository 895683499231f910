from django.contrib import admin
from django.urls import include, path

from common.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("mail.urls")),
    path("", include("web.urls")),
]
