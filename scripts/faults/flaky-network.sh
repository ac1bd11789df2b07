#!/usr/bin/env bash
# Run a command over a flaky network: chat calls are sometimes reset, answered empty, answered 502
# or slow. The draws come from the mock's seed (serve --seed N) and the rules' ids, so the same run
# against a fresh mock fails the same calls.
#   scripts/faults/flaky-network.sh pytest tests/e2e -k retry
set -euo pipefail
source "$(dirname "$0")/_lib.sh"

add_rules "${mock[@]}" fault load flaky-network
"$@"
