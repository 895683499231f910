#!/usr/bin/env bash
# The embedded setup (`make run`): SQLite under var/, Celery on kombu's
# filesystem transport (no Redis), the worker with its embedded beat running
# the escalation sweep, and Django's development server.
#
#   PORT=8123 make run    # another port (default 8000)
#   VENV=/path/to/venv bash scripts/run_embedded.sh   # an existing environment instead of .venv
#
# The first start seeds the demo desk (seed_demo: 800 tickets with 90 days of history,
# 10–25 s on SQLite); later starts find the tickets and leave them as they are.
#
# Ctrl-C or SIGTERM stops both the web server and the worker. Running it again
# is safe: migrations and the demo data are idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=helpdesk.settings.local
export PORT="${PORT:-8000}"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
mkdir -p var/celery/queue var/celery/processed var/celery/control var/log

$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo
$PY manage.py collectstatic --noinput -v0

WEB=""
WORKER=""
stop() {
  # Finish the clean-up even if make forwards a second signal (bounded: 10 s).
  trap - EXIT
  trap '' INT TERM
  local pids="$WEB $WORKER" pid alive
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give the worker a moment for a warm shutdown, then make sure.
  for _ in $(seq 50); do
    alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.2
  done
  for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  echo "Tierdesk stopped."
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$VENV/bin/celery" -A helpdesk worker -B --pool=solo --loglevel=INFO \
  --schedule=var/celerybeat-schedule >var/log/worker.log 2>&1 &
WORKER=$!
$PY manage.py runserver "127.0.0.1:$PORT" &
WEB=$!

echo
echo "Tierdesk runs on http://127.0.0.1:$PORT (sign in with a demo user above, password 'demo')."
echo "Background worker + escalation sweep: log in var/log/worker.log. Stop with Ctrl-C."
echo "Mail in: add a mailbox at http://127.0.0.1:$PORT/admin/mail/mailbox/add/ (README: Mail in and out)."

# Wait in short slices so a signal is handled at once; stop everything when
# either process ends on its own.
READY=""
while kill -0 "$WEB" 2>/dev/null && kill -0 "$WORKER" 2>/dev/null; do
  if [ -z "$READY" ] && grep -q " ready\.$" var/log/worker.log 2>/dev/null; then
    READY=1
    echo "Background worker and escalation sweep ready."
  fi
  sleep 1 &
  wait $! || true
done
if ! kill -0 "$WORKER" 2>/dev/null; then
  echo "The background worker stopped; see var/log/worker.log." >&2
else
  echo "The web server stopped." >&2
fi
exit 1
