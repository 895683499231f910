"""Run the escalation sweep in the foreground: once, or every interval without Celery."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from escalation.services.delivery import notifications_deliver_due
from escalation.services.sweep import escalation_sweep


class Command(BaseCommand):
    help = "One escalation sweep (warnings, breaches, escalations, notifications); --loop repeats."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Sweep every interval until ^C.")
        parser.add_argument(
            "--interval",
            type=float,
            default=settings.TIERDESK_ESCALATION_INTERVAL_SECONDS,
            help="Seconds between sweeps with --loop (TIERDESK_ESCALATION_INTERVAL_SECONDS).",
        )
        parser.add_argument(
            "--deliver",
            action="store_true",
            help="Also send due notifications from this process (when no Celery worker runs).",
        )

    def handle(self, *args, loop=False, interval=30.0, deliver=False, **options):
        while True:
            started = time.monotonic()
            result = escalation_sweep(queue=not deliver)
            sent = notifications_deliver_due() if deliver else 0
            if result.skipped:
                self.stdout.write("Another sweep holds the lock; skipped.")
            else:
                self.stdout.write(
                    f"warnings={result.warnings} breaches={result.breaches} "
                    f"escalations={result.escalations} notifications={result.notifications} "
                    f"requeued={result.requeued} sent={sent} errors={result.errors} "
                    f"fallbacks={result.fallbacks} "
                    f"({(time.monotonic() - started) * 1000:.1f} ms)"
                )
            if not loop:
                return
            try:
                time.sleep(max(interval - (time.monotonic() - started), 0.1))
            except KeyboardInterrupt:
                return
