#!/usr/bin/env bash
# Not a network fault: the org says chat is offline (isChatAvailable answers "offline"), and start
# takes 2 s, to expose pages that call the SDK before start has finished.
#   KEY=my-test-key scripts/faults/chat-offline.sh npm run test:e2e -- --grep offline
set -euo pipefail
source "$(dirname "$0")/_lib.sh"
key="${KEY:?set KEY to the API key your page uses}"

"${mock[@]}" settings "$key" --availability offline --start-delay-ms 2000
trap 'remove_ours; "${mock[@]}" settings "$key" --availability online --start-delay-ms 0 >/dev/null' EXIT
"$@"
