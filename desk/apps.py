from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Technician tools"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (watchers are notified like the requester)
