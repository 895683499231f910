#!/usr/bin/env bash
# The embedded setup: SQLite under var/, Celery on kombu's filesystem transport
# (no Redis), the worker with its embedded beat running the escalation sweep.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=helpdesk.settings.local
PY=.venv/bin/python
mkdir -p var/celery/queue var/celery/processed var/log
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo
$PY manage.py collectstatic --noinput -v0
.venv/bin/celery -A helpdesk worker -B --pool=solo --loglevel=INFO \
  --schedule=var/celerybeat-schedule >var/log/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo
echo "Tierdesk runs on http://127.0.0.1:8000 (sign in with a demo user above, password 'demo')."
echo "Background worker + escalation sweep: log in var/log/worker.log"
$PY manage.py runserver 127.0.0.1:8000
