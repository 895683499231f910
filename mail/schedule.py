"""The beat entry of the mailbox poller (django-celery-beat), written after every migrate."""

from __future__ import annotations

from django.conf import settings

from common.beat import ensure_interval_entry

POLL_TASK_NAME = "mail-poll"


def ensure_poll_schedule(*, using: str = "default") -> None:
    seconds = max(int(settings.TIERDESK_MAIL_POLL_SECONDS), 5)
    ensure_interval_entry(name=POLL_TASK_NAME, task="mail.poll", seconds=seconds, using=using)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_poll_schedule(using=using)
