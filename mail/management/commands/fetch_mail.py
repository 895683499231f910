"""Poll every active mailbox (or one) once, in this process."""

from django.core.management.base import BaseCommand

from mail.models import Mailbox
from mail.services.polling import mailbox_poll


class Command(BaseCommand):
    help = "Read each active mailbox once: new mail becomes tickets and replies."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", type=int, help="Only the mailbox with this id.")

    def handle(self, *args, mailbox=None, **options):
        ids = (
            [mailbox]
            if mailbox
            else list(
                Mailbox.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
            )
        )
        failed = False
        for pk in ids:
            result = mailbox_poll(mailbox_id=pk)
            failed |= bool(result.error)
            self.stdout.write(
                f"{result.mailbox}: {result.fetched} mail(s) {result.outcomes}"
                + (" (busy, skipped)" if result.skipped else "")
                + (f" ERROR {result.error}" if result.error else "")
            )
        if failed:
            raise SystemExit(1)
