"""Time a 500-ticket bulk action and count its queries, against a database of its own.

  createdb -h 127.0.0.1 -U postgres tierdesk_bench_bulk
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierdesk_bench_bulk \
    .venv/bin/python manage.py migrate
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/tierdesk_bench_bulk \\
    .venv/bin/python manage.py shell < scripts/bench_bulk_action.py

The actions run one after the other on 500 freshly filed tickets (through ticket_create,
so each has its clocks) and on 5, for comparison; outbox rows are written as in production (Celery
queueing after commit is part of the write's cost only when a broker answers).
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, Tier, User
from escalation.services.bulk_actions import tickets_bulk_action
from tickets.services import ticket_create

HANDOFF = "Checked the VPN logs, restarted the client twice; customer still cannot connect."
requester, _ = User.objects.get_or_create(
    username="bench-requester", defaults={"email": "r@example.com"}
)
tech, _ = User.objects.get_or_create(
    username="bench-l1",
    defaults={"email": "t@example.com", "role": Role.TECHNICIAN, "tier": Tier.L1},
)
ACTIONS = [
    ("assign", {"assignee": tech.pk}),
    ("status", {"status": "pending_customer"}),
    ("priority", {"priority": "P2"}),
    ("note", {"body": "Known outage; fix expected by noon."}),
    ("escalate", {"handoff_note": HANDOFF}),
]
print(f"{'action':>10} {'tickets':>8} {'seconds':>8} {'queries':>8}")
batches = {
    size: [
        ticket_create(requester=requester, subject=f"VPN {n}", description="Down.").pk
        for n in range(size)
    ]
    for size in (5, 500)
}
for action, data in ACTIONS:  # one after the other on the same tickets
    for size, ids in batches.items():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            results = tickets_bulk_action(actor=tech, ids=ids, action=action, data=data)
            seconds = time.perf_counter() - started
        assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
        print(f"{action:>10} {size:>8} {seconds:>8.2f} {len(queries):>8}")
