from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Escalation"

    def ready(self) -> None:
        from . import (
            handoff_notices,  # noqa: F401  (tells people a ticket left them)
            receivers,  # noqa: F401  (connects the ticket signal listeners)
        )
        from .schedule import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="escalation_beat_entry")
