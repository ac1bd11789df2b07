#!/usr/bin/env bash
# Run a command over a flaky network: chat calls are sometimes reset, answered empty, answered 502
# or slow. The draws come from the mock's seed (serve --seed N), so a failing run repeats exactly.
#   scripts/faults/flaky-network.sh pytest tests/e2e -k retry
set -euo pipefail
mock="${KUSTOMER_MOCK:-kustomer-mock}"

"$mock" fault clear >/dev/null        # ids restart at f1: the same rules draw the same numbers
"$mock" fault load flaky-network
trap '"$mock" fault clear >/dev/null' EXIT
"$@"
