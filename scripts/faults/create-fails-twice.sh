#!/usr/bin/env bash
# "What does our page do when createConversation fails twice and then works?"
# Runs a command with that fault, then checks in the journal that the app really retried.
#   scripts/faults/create-fails-twice.sh npm run test:e2e -- --grep "retries the first message"
set -euo pipefail
source "$(dirname "$0")/_lib.sh"

start=$(journal_end)                   # fails early when the mock is not running
add_rules "${mock[@]}" fault add --operation createConversation --status 503 --times 2
"$@"

# This run's calls only: two 503s and then a 201; anything else means the app gave up (or never called).
statuses=$("${mock[@]}" journal --after "$start" --operation createConversation --json \
           | python3 -c 'import json,sys; print(" ".join(str(e["status"]) for e in json.load(sys.stdin)["requests"]))')
echo "createConversation answered: $statuses"
[[ "$statuses" == "503 503 201"* ]]
