"""Schemathesis against /api/schema/, in-process over WSGI (no network), as two roles.

For every operation a bounded number of generated requests is sent as a
customer and as a manager; each response must not be a 5xx and must match
the schema (status code documented, content type and body as documented).
Run alone with `make fuzz`.
"""

import os
import random

import pytest
import schemathesis
from django.core import signals as django_signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from accounts.services import token_hash
from tickets.services import ticket_create, ticket_reply

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and generation mode; raise it for a deeper run (TIERDESK_FUZZ_EXAMPLES=100).
MAX_EXAMPLES = int(os.environ.get("TIERDESK_FUZZ_EXAMPLES", "8"))


@pytest.fixture
def wsgi_app(db, settings):
    # Requests run inside the test's transaction: keep Django from closing the
    # connection at the end of each request, as its own test client does.
    django_signals.request_started.disconnect(close_old_connections)
    django_signals.request_finished.disconnect(close_old_connections)
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield get_wsgi_application()
    django_signals.request_started.connect(close_old_connections)
    django_signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


@pytest.fixture
def world(alice, gina, l2tech, manager):
    """Some real rows, so generated ids sometimes hit existing tickets."""
    tickets = [
        ticket_create(requester=alice, subject=f"Alice {n}", description="x") for n in (1, 2)
    ]
    tickets.append(ticket_create(requester=gina, subject="Gina's", description="y"))
    ticket_reply(ticket=tickets[0], author=l2tech, body="internal", internal=True)
    return {"tickets": [t.pk for t in tickets]}


def _run(case, *, user, world) -> None:
    token = f"fuzz{user.pk:036d}"
    ApiToken.objects.get_or_create(
        key_hash=token_hash(token), defaults={"user": user, "name": "fuzz", "prefix": token[:8]}
    )
    if "ticket_id" in (case.path_parameters or {}) and random.random() < 0.6:  # noqa: S311
        case.path_parameters["ticket_id"] = random.choice(world["tickets"])  # noqa: S311
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def _fuzz(api_schema, *, user, world) -> int:
    """Every operation, valid and invalid inputs; returns the number of operations run.

    (Schemathesis' own pytest plugin does not run on pytest 9 yet, so the
    operations' Hypothesis strategies are driven here directly.)
    """
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                _run(case, user=user, world=world)

            try:
                check()
            except Unsatisfiable:
                # No input to make invalid (e.g. DELETE without parameters): nothing to run.
                assert mode == GenerationMode.NEGATIVE, operation.label
            except Exception as error:  # noqa: BLE001 - collect, report all operations at once
                failures.append(f"{operation.label} [{mode.value}]: {error}"[:3000])
    assert not failures, "\n\n".join(failures)
    return len(operations)


def test_fuzz_as_customer(api_schema, alice, world):
    assert _fuzz(api_schema, user=alice, world=world) > 30


def test_fuzz_as_manager(api_schema, manager, world):
    assert _fuzz(api_schema, user=manager, world=world) > 30
