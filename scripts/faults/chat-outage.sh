#!/usr/bin/env bash
# Run a command while Kustomer's chat API is down: every /c/ call answers 503.
#   scripts/faults/chat-outage.sh npm run test:e2e -- --grep "chat offline banner"
# Needs a running mock (KUSTOMER_MOCK_URL, default http://127.0.0.1:7700); the rules are removed
# afterwards even when the command fails, and the command's exit code is kept.
set -euo pipefail
mock="${KUSTOMER_MOCK:-kustomer-mock}"   # or: .venv/bin/kustomer-mock, python -m mock_server

"$mock" fault load chat-outage
trap '"$mock" fault clear >/dev/null' EXIT
"$@"
