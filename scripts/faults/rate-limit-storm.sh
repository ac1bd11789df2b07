#!/usr/bin/env bash
# Run a command while the org is rate-limited: after 5 calls, 3 in 4 calls answer 429 with
# x-ratelimit-* and Retry-After headers. Prints how many of the command's calls were limited.
#   scripts/faults/rate-limit-storm.sh node scripts/sync-customers.js
set -euo pipefail
source "$(dirname "$0")/_lib.sh"

start=$(journal_end)
add_rules "${mock[@]}" fault load rate-limit-storm
"$@"
"${mock[@]}" journal --after "$start" --status 429 --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"], "calls were rate-limited")'
