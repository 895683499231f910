"""A ticket write never fails because the cached webhook list is stale: deliveries are written
only for hooks that exist and are active, and changes to hooks reach the cache after commit."""

import pytest
from django.core.cache import cache

from api.models import WebhookDelivery, WebhookEvent
from api.webhooks import services
from tickets.models import Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

EVERYTHING = list(WebhookEvent.values)


def test_a_cached_hook_that_no_longer_exists_does_not_fail_ticket_creation(alice, manager):
    live = services.webhook_create(actor=manager, url="http://127.0.0.1:9/in", events=EVERYTHING)
    # The cache outlived its database: it names a hook id no row has (and an inactive one).
    off = services.webhook_create(
        actor=manager, url="http://127.0.0.1:9/off", events=EVERYTHING, is_active=False
    )
    cache.set(
        services.ACTIVE_HOOKS_KEY,
        [(live.pk, EVERYTHING), (10**12, EVERYTHING), (off.pk, EVERYTHING)],
        300,
    )
    ticket = ticket_create(requester=alice, subject="s", description="d")
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert set(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == {live.pk}
    assert cache.get(services.ACTIVE_HOOKS_KEY) is None  # the stale list was dropped


def test_deleting_a_hook_clears_the_cache_after_commit(
    alice, manager, django_capture_on_commit_callbacks
):
    hook = services.webhook_create(actor=manager, url="http://127.0.0.1:9/in", events=EVERYTHING)
    assert services.active_hooks() == [(hook.pk, sorted(EVERYTHING))]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hook.delete()
        # Another request refills the cache before the delete commits ...
        cache.set(services.ACTIVE_HOOKS_KEY, [(hook.pk, EVERYTHING)], 300)
    for callback in callbacks:
        callback()
    # ... and the commit empties it again.
    assert cache.get(services.ACTIVE_HOOKS_KEY) is None
    ticket_create(requester=alice, subject="s", description="d")
    assert not WebhookDelivery.objects.exists()
