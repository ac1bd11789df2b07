#!/usr/bin/env bash
# Run a command while the org is rate-limited: after 5 calls, 3 in 4 calls answer 429 with
# x-ratelimit-* and Retry-After headers. Prints how many calls were limited afterwards.
#   scripts/faults/rate-limit-storm.sh node scripts/sync-customers.js
set -euo pipefail
mock="${KUSTOMER_MOCK:-kustomer-mock}"

"$mock" fault load rate-limit-storm
trap '"$mock" fault clear >/dev/null' EXIT
"$@"
"$mock" journal --status 429 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"], "calls were rate-limited")'
