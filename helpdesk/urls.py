from django.contrib import admin
from django.urls import include, path

from common.health import healthz
from web.views.account import PasswordResetView

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("mail.urls")),
    path("", include("web.urls")),
]
