from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from .schedule import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="reports_beat_entry")
