#!/bin/sh
# Unattended monthly run: every shipped scenario, all 342 municipal reports for each.
# Safe to start twice (the second waits up to 2 h for the lock, then gives up with exit 3);
# writes reports/<run-id>/ and moves reports/latest only when every report succeeded.
# Exit codes: 0 ok, 1 some report failed, 2 invalid parameters (nothing ran), 3 locked,
# 130 interrupted. Output goes to reports/logs/scheduled.log (the runner's own log of each
# run is reports/logs/<run-id>.log).
set -eu
cd "$(dirname "$0")/.."
mkdir -p reports/logs
exec >>reports/logs/scheduled.log 2>&1
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) scheduled run starting"
status=0
trap ':' TERM  # on systemctl stop: let the runner finish writing, then log its exit code
.venv/bin/capacity run --all-scenarios --municipalities all \
    --wait 7200 --keep 12 --timeout 1800 "$@" || status=$?
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) scheduled run ended with exit code $status"
exit "$status"
