#!/usr/bin/env bash
# Serve the portal and run the background task worker beside it; stop both on Ctrl+C.
set -u
BIN=${BIN:-.venv/bin}
"$BIN/python" manage.py db_worker --interval 2 >var/worker.log 2>&1 &
worker=$!
# Periodic jobs (payment status, deadline alerts, …): enqueued once per slot, run by the worker above.
"$BIN/python" manage.py scheduler --interval 30 >var/scheduler.log 2>&1 &
scheduler=$!
trap 'kill $worker $scheduler 2>/dev/null; wait $worker $scheduler 2>/dev/null' EXIT INT TERM
# No control socket: its default path is per machine user, so a second demo on another port took it over.
"$BIN/gunicorn" config.wsgi:application --bind "${HOST:-127.0.0.1}:${PORT:-8000}" --no-control-socket \
  --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-4}" --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' --graceful-timeout 10
