from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from .schedule import on_post_migrate
        from .webhooks import receivers

        receivers.connect()
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="api_requeue_schedule")
