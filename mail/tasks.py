"""Celery tasks of the mail app: thin, take ids, call one service."""

from __future__ import annotations

import logging

from celery import shared_task

from .models import Mailbox
from .services.polling import mailbox_poll

log = logging.getLogger(__name__)


@shared_task(name="mail.poll", ignore_result=True)
def poll() -> int:
    """The beat entry: one task per active mailbox (each claims its mailbox's lease)."""
    ids = list(Mailbox.objects.filter(active=True).values_list("pk", flat=True))
    for pk in ids:
        poll_mailbox.delay(pk)
    return len(ids)


@shared_task(name="mail.poll_mailbox", ignore_result=True)
def poll_mailbox(mailbox_id: int) -> dict:
    result = mailbox_poll(mailbox_id=mailbox_id)
    if result.error:
        log.warning("Mailbox %s: %s", mailbox_id, result.error)
    return result.as_dict()
