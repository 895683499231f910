from django.urls import path

from . import views

urlpatterns = [
    path("mail/originals/<int:pk>/", views.inbound_original, name="mail-original"),
]
