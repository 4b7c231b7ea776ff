#!/bin/sh
# Called by `capacity run --on-warning` (CAPACITY_ON_WARNING in capacity-report.service) with the
# path of the run's warnings.json when the early-warning status is amber, red or stale (data too
# old). Prints the status and every trigger's text (to the journal under systemd) and mails them
# to CAPACITY_MAIL_TO (default root) when a `mail` command exists (bsd-mailx or mailutils).
set -eu
json=$1
cd "$(dirname "$0")/.."
text=$(.venv/bin/python - "$json" <<'PY'
import json, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
print(f"capacity early warning: {w['status'].upper()} (run {w.get('run_id', '?')})")
for name, s in w.get("scenarios", {}).items():
    for t in s.get("triggers", []):
        if t.get("status") in ("amber", "red", "stale"):
            print(f"- {name}: {t['title']}: {t['status']}: {t['text']}")
print(f"Details: reports/{w.get('run_id', 'latest')}/index.html#early-warning")
PY
)
echo "$text"
if command -v mail >/dev/null 2>&1; then
    echo "$text" | mail -s "$(echo "$text" | head -n 1)" "${CAPACITY_MAIL_TO:-root}"
fi
