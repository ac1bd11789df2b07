#!/usr/bin/env bash
# Run a command while Kustomer's chat API is down: every /c/ call answers 503.
#   scripts/faults/chat-outage.sh npm run test:e2e -- --grep "chat offline banner"
# Needs a running mock (KUSTOMER_MOCK_URL, default http://127.0.0.1:7700); its rules (and only its
# rules) are removed afterwards even when the command fails, and the command's exit code is kept.
set -euo pipefail
source "$(dirname "$0")/_lib.sh"   # mock: kustomer-mock from PATH, the repository's .venv or KUSTOMER_MOCK

add_rules "${mock[@]}" fault load chat-outage
"$@"
