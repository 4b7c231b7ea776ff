#!/bin/sh
# Unattended monthly run: every shipped scenario, all 342 municipal reports for each.
# Safe to start twice (the second waits up to 2 h for the lock, then gives up with exit 3);
# writes reports/<run-id>/ and moves reports/latest only when every report succeeded. A month
# whose data, parameters, code and notebooks equal the last complete run's recomputes nothing
# ("nothing changed", exit 0; pass --force to run anyway).
# Exit codes: 0 ok or nothing changed, 1 some report failed, 2 invalid parameters or data
# (nothing ran), 3 locked, 4 reports/ cannot be written (read-only, no permission, disk full),
# 130 interrupted.
# Every line goes both to this script's standard output (journald under systemd: `journalctl
# -u capacity-report.service`; the mail MAILTO gets under cron) and to reports/logs/scheduled.log,
# which this script rotates when it exceeds 10 MB (scheduled.log.1 ... .5, oldest dropped;
# CAPACITY_LOG_MAX_BYTES, CAPACITY_LOG_KEEP); the runner's own log of each run is
# reports/logs/<run-id>.log (removed with the run).
set -eu
cd "$(dirname "$0")/.."
mkdir -p reports/logs
log=reports/logs/scheduled.log
max_bytes=${CAPACITY_LOG_MAX_BYTES:-10485760}
keep=${CAPACITY_LOG_KEEP:-5}
if [ -f "$log" ] && [ "$(wc -c <"$log")" -gt "$max_bytes" ]; then
    i=$keep
    rm -f "$log.$i"
    while [ "$i" -gt 1 ]; do
        prev=$((i - 1))
        if [ -f "$log.$prev" ]; then mv -f "$log.$prev" "$log.$i"; fi
        i=$prev
    done
    mv -f "$log" "$log.1"
fi
# Both destinations: tee reads a private FIFO and writes the file and the original stdout.
fifo_dir=$(mktemp -d "${TMPDIR:-/tmp}/capacity-log.XXXXXX")
mkfifo -m 600 "$fifo_dir/out"
trap ':' TERM  # on systemctl stop: let the runner finish writing, then log its exit code
( trap '' TERM; exec tee -a "$log" ) <"$fifo_dir/out" &  # outlives a SIGTERM to the unit
tee_pid=$!
exec >"$fifo_dir/out" 2>&1
rm -rf "$fifo_dir"  # tee and this shell hold it open
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) scheduled run starting"
status=0
.venv/bin/capacity run --all-scenarios --municipalities all \
    --wait 7200 --keep 12 --timeout 1800 "$@" || status=$?
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) scheduled run ended with exit code $status"
exec >&- 2>&-
wait "$tee_pid" || true
exit "$status"
