from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from .schedule import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="mail_beat_entry")
